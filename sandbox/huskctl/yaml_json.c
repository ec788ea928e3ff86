#include "yaml_json.h"

#include <stdbool.h>
#include <string.h>
#include <yaml.h>

#include "cleanup.h"
#include "jv.h"

static bool
one_of (const char *s, const char *const *words)
{
  for (; *words; words++)
    if (!strcmp (s, *words))
      return true;
  return false;
}

static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
static const char *const trues[] = { "true", "True", "TRUE", NULL };
static const char *const falses[] = { "false", "False", "FALSE", NULL };

static bool
looks_numeric (const char *s)
{
  const char *p = s + (*s == '-' || *s == '+');
  if (!*p || (p[0] == '0' && p[1] && p[1] != '.' && p[1] != 'e' && p[1] != 'E'))
    return false; /* "0755" and "+" stay strings */
  return strspn (p, "0123456789.eE+-") == strlen (p) && strspn (p, "0123456789") > 0;
}

static yajl_val
scalar (yaml_node_t *n)
{
  const char *s = (const char *) n->data.scalar.value;
  yajl_val num;
  /* libyaml's loader tags every plain scalar !!str by default, so the tag
   * cannot tell an explicit !!str apart: only quoting makes a string */
  if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
    return jv_string (s);
  if (one_of (s, nulls))
    return jv_null ();
  if (one_of (s, trues) || one_of (s, falses))
    return jv_bool (one_of (s, trues));
  if (looks_numeric (s) && (num = jv_number (s)))
    return num;
  return jv_string (s);
}

/* Aliases make a small text a huge tree ("billion laughs", found by
 * tests/fuzz/fuzz_yaml.c): at most this many nodes per document, as
 * go-yaml bounds alias expansion. */
#define YAML_MAX_NODES 200000

static yajl_val
convert (yaml_document_t *doc, yaml_node_t *n, int depth, size_t *budget)
{
  yajl_val v;
  if (!n || depth > 64 || *budget == 0)
    return jv_null ();
  --*budget;
  switch (n->type)
    {
    case YAML_SCALAR_NODE:
      return scalar (n);
    case YAML_SEQUENCE_NODE:
      v = jv_array ();
      for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++)
        jv_push (v, convert (doc, yaml_document_get_node (doc, *i), depth + 1, budget));
      return v;
    case YAML_MAPPING_NODE:
      v = jv_object ();
      for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
        {
          yaml_node_t *k = yaml_document_get_node (doc, p->key);
          if (k && k->type == YAML_SCALAR_NODE)
            jv_set (v, (const char *) k->data.scalar.value,
                    convert (doc, yaml_document_get_node (doc, p->value), depth + 1, budget));
        }
      return v;
    default:
      return jv_null ();
    }
}

int
yaml_to_json (const char *text, size_t len, yajl_val *docs, struct husk_error **err)
{
  yaml_parser_t parser;
  cleanup_jv yajl_val out = jv_array ();
  int ret = 0;
  yaml_parser_initialize (&parser);
  yaml_parser_set_input_string (&parser, (const unsigned char *) text, len);
  for (;;)
    {
      yaml_document_t doc;
      yaml_node_t *root;
      if (!yaml_parser_load (&parser, &doc))
        {
          ret = husk_error_set (err, 0, "YAML line %zu: %s", parser.problem_mark.line + 1,
                                parser.problem ? parser.problem : "syntax error");
          break;
        }
      root = yaml_document_get_root_node (&doc);
      if (!root)
        {
          yaml_document_delete (&doc);
          break;
        }
      if (!(root->type == YAML_SCALAR_NODE && !root->data.scalar.length))
        {
          size_t budget = YAML_MAX_NODES;
          jv_push (out, convert (&doc, root, 0, &budget));
          if (budget == 0)
            {
              yaml_document_delete (&doc);
              ret = husk_error_set (err, 0, "YAML document too large (more than %d nodes once "
                                    "aliases are expanded)", YAML_MAX_NODES);
              break;
            }
        }
      yaml_document_delete (&doc);
    }
  yaml_parser_delete (&parser);
  if (ret == 0)
    *docs = steal_pointer (&out);
  return ret;
}

static int
emit (yaml_emitter_t *e, yaml_event_t *ev)
{
  return yaml_emitter_emit (e, ev) ? 0 : -1;
}

/* Strings that would read back as something else are quoted. */
static yaml_scalar_style_t
string_style (const char *s)
{
  if (one_of (s, nulls) || one_of (s, trues) || one_of (s, falses) || looks_numeric (s)
      || !strcmp (s, "yes") || !strcmp (s, "no") || !strcmp (s, "on") || !strcmp (s, "off"))
    return YAML_SINGLE_QUOTED_SCALAR_STYLE;
  return YAML_ANY_SCALAR_STYLE;
}

static int
emit_scalar (yaml_emitter_t *e, const char *s, yaml_scalar_style_t style)
{
  yaml_event_t ev;
  yaml_scalar_event_initialize (&ev, NULL, NULL, (yaml_char_t *) s, (int) strlen (s), 1, 1,
                                style);
  return emit (e, &ev);
}

static int
emit_value (yaml_emitter_t *e, yajl_val v)
{
  yaml_event_t ev;
  switch (v ? v->type : yajl_t_null)
    {
    case yajl_t_string:
      return emit_scalar (e, v->u.string, string_style (v->u.string));
    case yajl_t_number:
      return emit_scalar (e, v->u.number.r, YAML_PLAIN_SCALAR_STYLE);
    case yajl_t_true:
    case yajl_t_false:
      return emit_scalar (e, v->type == yajl_t_true ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
    case yajl_t_object:
      yaml_mapping_start_event_initialize (&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
      if (emit (e, &ev) < 0)
        return -1;
      for (size_t i = 0; i < v->u.object.len; i++)
        if (emit_scalar (e, v->u.object.keys[i], string_style (v->u.object.keys[i])) < 0
            || emit_value (e, v->u.object.values[i]) < 0)
          return -1;
      yaml_mapping_end_event_initialize (&ev);
      return emit (e, &ev);
    case yajl_t_array:
      yaml_sequence_start_event_initialize (&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
      if (emit (e, &ev) < 0)
        return -1;
      for (size_t i = 0; i < v->u.array.len; i++)
        if (emit_value (e, v->u.array.values[i]) < 0)
          return -1;
      yaml_sequence_end_event_initialize (&ev);
      return emit (e, &ev);
    default:
      return emit_scalar (e, "null", YAML_PLAIN_SCALAR_STYLE);
    }
}

int
json_to_yaml (yajl_val v, FILE *out, struct husk_error **err)
{
  yaml_emitter_t e;
  yaml_event_t ev;
  int ret = 0;
  yaml_emitter_initialize (&e);
  yaml_emitter_set_output_file (&e, out);
  yaml_emitter_set_unicode (&e, 1);
  yaml_emitter_set_width (&e, -1);
  yaml_stream_start_event_initialize (&ev, YAML_UTF8_ENCODING);
  if (emit (&e, &ev) < 0)
    ret = -1;
  yaml_document_start_event_initialize (&ev, NULL, NULL, NULL, 1);
  if (!ret && emit (&e, &ev) < 0)
    ret = -1;
  if (!ret && emit_value (&e, v) < 0)
    ret = -1;
  yaml_document_end_event_initialize (&ev, 1);
  if (!ret && emit (&e, &ev) < 0)
    ret = -1;
  yaml_stream_end_event_initialize (&ev);
  if (!ret && emit (&e, &ev) < 0)
    ret = -1;
  if (ret < 0)
    husk_error_set (err, 0, "YAML output: %s", e.problem ? e.problem : "emitter error");
  yaml_emitter_delete (&e);
  return ret;
}
