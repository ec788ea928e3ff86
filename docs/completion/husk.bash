# bash completion for husk
_husk() {
  local cur prev verbs
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  verbs="create start run state kill delete list exec ps pause resume update events spec features pod"
  if [ "$COMP_CWORD" -eq 1 ] || [[ $prev == --root || $prev == --log || $prev == --log-format ]]; then
    case $prev in
      --root) COMPREPLY=($(compgen -d -- "$cur")); return ;;
      --log) COMPREPLY=($(compgen -f -- "$cur")); return ;;
      --log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    esac
    COMPREPLY=($(compgen -W "$verbs --root --log --log-format --debug --help --version" -- "$cur"))
    return
  fi
  case $prev in
    -b|--bundle|--cwd) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --pid-file|--console-socket|--process|-r) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  local ids
  ids=$(husk list -q 2>/dev/null)
  COMPREPLY=($(compgen -W "$ids" -- "$cur"))
}
complete -F _husk husk
