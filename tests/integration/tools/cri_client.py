#!/usr/bin/env python3
"""A tiny CRI (runtime.v1.RuntimeService) client for husk's tests.

Debian 12 has no crictl, so this drives containerd's CRI plugin the way a
kubelet does, with python3-grpcio only: the protobuf messages are encoded by
hand from a small table of field numbers taken from
k8s.io/cri-api/pkg/apis/runtime/v1/api.proto, and only the response fields
the tests read are decoded.

    cri_client.py [--socket PATH] version
    cri_client.py runp [--runtime HANDLER] POD.json        -> sandbox id
    cri_client.py create SANDBOX_ID CONTAINER.json POD.json -> container id
    cri_client.py start|stop|rm ID      (stop: [--timeout SECONDS])
    cri_client.py stopp|rmp SANDBOX_ID
    cri_client.py inspect ID            -> JSON: state, exit_code, ...
    cri_client.py inspectp SANDBOX_ID   -> JSON: state, ip, runtime_handler
    cri_client.py exec-sync [--timeout S] ID CMD... -> JSON: stdout, stderr,
                                                       exit_code

POD.json and CONTAINER.json use the proto's field names (as crictl's files
do), for the subset of fields in SCHEMA; enums may be names or numbers.
The socket defaults to $CRI_SOCKET.  Options go before the other arguments.
A gRPC error is printed as "CODE: details" on stderr with exit status 1.
"""

import json
import os
import sys

import grpc

SERVICE = "/runtime.v1.RuntimeService/"

# Request messages: JSON key -> (field number, type).  A type is a scalar
# ("string", "int", "bool"), "map" (map<string,string>), an enum dict, or
# the name of another message here.  A JSON list makes a repeated field.
NAMESPACE_MODE = {"POD": 0, "CONTAINER": 1, "NODE": 2, "TARGET": 3}
SCHEMA = {
    "PodSandboxConfig": {
        "metadata": (1, "PodSandboxMetadata"),
        "hostname": (2, "string"),
        "log_directory": (3, "string"),
        "dns_config": (4, "DNSConfig"),
        "labels": (6, "map"),
        "annotations": (7, "map"),
        "linux": (8, "LinuxPodSandboxConfig"),
    },
    "PodSandboxMetadata": {
        "name": (1, "string"),
        "uid": (2, "string"),
        "namespace": (3, "string"),
        "attempt": (4, "int"),
    },
    "DNSConfig": {
        "servers": (1, "string"),
        "searches": (2, "string"),
        "options": (3, "string"),
    },
    "LinuxPodSandboxConfig": {
        "cgroup_parent": (1, "string"),
        "security_context": (2, "LinuxSandboxSecurityContext"),
        "sysctls": (3, "map"),
    },
    "LinuxSandboxSecurityContext": {
        "namespace_options": (1, "NamespaceOption"),
        "readonly_rootfs": (4, "bool"),
        "privileged": (6, "bool"),
    },
    "NamespaceOption": {
        "network": (1, NAMESPACE_MODE),
        "pid": (2, NAMESPACE_MODE),
        "ipc": (3, NAMESPACE_MODE),
        "target_id": (4, "string"),
    },
    "ContainerConfig": {
        "metadata": (1, "ContainerMetadata"),
        "image": (2, "ImageSpec"),
        "command": (3, "string"),
        "args": (4, "string"),
        "working_dir": (5, "string"),
        "envs": (6, "KeyValue"),
        "labels": (9, "map"),
        "annotations": (10, "map"),
        "log_path": (11, "string"),
        "stdin": (12, "bool"),
        "tty": (14, "bool"),
        "linux": (15, "LinuxContainerConfig"),
    },
    "ContainerMetadata": {"name": (1, "string"), "attempt": (2, "int")},
    "ImageSpec": {"image": (1, "string")},
    "KeyValue": {"key": (1, "string"), "value": (2, "string")},
    "LinuxContainerConfig": {
        "resources": (1, "LinuxContainerResources"),
        "security_context": (2, "LinuxContainerSecurityContext"),
    },
    "LinuxContainerResources": {
        "cpu_period": (1, "int"),
        "cpu_quota": (2, "int"),
        "cpu_shares": (3, "int"),
        "memory_limit_in_bytes": (4, "int"),
        "oom_score_adj": (5, "int"),
    },
    "LinuxContainerSecurityContext": {
        "privileged": (2, "bool"),
        "namespace_options": (3, "NamespaceOption"),
        "readonly_rootfs": (7, "bool"),
    },
}

CONTAINER_STATE = ["CONTAINER_CREATED", "CONTAINER_RUNNING", "CONTAINER_EXITED", "CONTAINER_UNKNOWN"]
SANDBOX_STATE = ["SANDBOX_READY", "SANDBOX_NOTREADY"]

# --- protobuf wire format ---------------------------------------------------


def varint(n):
    if n < 0:  # int32/int64 negatives are 10-byte two's complement
        n += 1 << 64
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_varint(number, n):
    return varint(number << 3 | 0) + varint(n)


def field_bytes(number, data):
    if isinstance(data, str):
        data = data.encode()
    return varint(number << 3 | 2) + varint(len(data)) + data


def message(*fields):
    """Concatenates encoded fields; a field given as "" or None is unset."""
    return b"".join(f for f in fields if f)


def encode(msg_type, obj):
    """Encodes the dict obj as the message msg_type of SCHEMA."""
    out = bytearray()
    for key, value in obj.items():
        if key not in SCHEMA[msg_type]:
            raise SystemExit(f"cri_client: {msg_type} has no field {key!r} here")
        number, kind = SCHEMA[msg_type][key]
        if kind == "map":
            for k, v in value.items():
                out += field_bytes(number, field_bytes(1, k) + field_bytes(2, v))
            continue
        for item in value if isinstance(value, list) else [value]:
            out += encode_one(number, kind, item)
    return bytes(out)


def encode_one(number, kind, value):
    if kind == "string":
        return field_bytes(number, value)
    if kind in ("int", "bool"):
        return field_varint(number, int(value))
    if isinstance(kind, dict):  # an enum
        return field_varint(number, kind[value] if isinstance(value, str) else value)
    return field_bytes(number, encode(kind, value))


def decode(data):
    """Parses one message level: {field number: [int or bytes, ...]}."""
    fields, i = {}, 0

    def read_varint():
        nonlocal i
        n = shift = 0
        while True:
            byte = data[i]
            i += 1
            n |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return n

    while i < len(data):
        key = read_varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            value = read_varint()
        elif wire == 2:
            length = read_varint()
            value, i = data[i : i + length], i + length
        elif wire in (1, 5):  # fixed64 / fixed32: none read here, skipped
            size = 8 if wire == 1 else 4
            value, i = data[i : i + size], i + size
        else:
            raise ValueError(f"unsupported wire type {wire}")
        fields.setdefault(number, []).append(value)
    return fields


def first(fields, number, default=None):
    return fields.get(number, [default])[0]


def text(fields, number):
    return first(fields, number, b"").decode(errors="replace")


def int32(fields, number):
    n = first(fields, number, 0) & 0xFFFFFFFF
    return n - (1 << 32) if n & 0x80000000 else n


# --- RPCs -------------------------------------------------------------------


def call(channel, method, request):
    rpc = channel.unary_unary(SERVICE + method, request_serializer=None, response_deserializer=None)
    return decode(rpc(request, timeout=120))


def load(path):
    with open(path) as f:
        return json.load(f)


def take_option(args, name, default=None):
    """Options come first: a command's own arguments may look like one."""
    if args[:1] == [name] and len(args) > 1:
        del args[0]
        return args.pop(0)
    return default


def cmd_version(ch, args):
    r = call(ch, "Version", field_bytes(1, "v1"))
    print(json.dumps({"version": text(r, 1), "runtime_name": text(r, 2),
                      "runtime_version": text(r, 3), "runtime_api_version": text(r, 4)}))


def cmd_runp(ch, args):
    handler = take_option(args, "--runtime", "")
    config = encode("PodSandboxConfig", load(args[0]))
    r = call(ch, "RunPodSandbox", message(field_bytes(1, config), handler and field_bytes(2, handler)))
    print(text(r, 1))


def cmd_create(ch, args):
    sandbox_id, container, pod = args
    r = call(ch, "CreateContainer", message(
        field_bytes(1, sandbox_id),
        field_bytes(2, encode("ContainerConfig", load(container))),
        field_bytes(3, encode("PodSandboxConfig", load(pod)))))
    print(text(r, 1))


def cmd_inspect(ch, args):
    r = call(ch, "ContainerStatus", field_bytes(1, args[0]))
    s = decode(first(r, 1, b""))
    print(json.dumps({
        "id": text(s, 1),
        "name": text(decode(first(s, 2, b"")), 1),
        "state": CONTAINER_STATE[first(s, 3, 0)],
        "started_at": first(s, 5, 0),
        "finished_at": first(s, 6, 0),
        "exit_code": int32(s, 7),
        "reason": text(s, 10),
        "message": text(s, 11),
        "log_path": text(s, 15),
    }))


def cmd_inspectp(ch, args):
    r = call(ch, "PodSandboxStatus", field_bytes(1, args[0]))
    s = decode(first(r, 1, b""))
    network = decode(first(s, 5, b""))
    print(json.dumps({
        "id": text(s, 1),
        "name": text(decode(first(s, 2, b"")), 1),
        "state": SANDBOX_STATE[first(s, 3, 0)],
        "ip": text(network, 1),
        "runtime_handler": text(s, 9),
    }))


def cmd_exec_sync(ch, args):
    timeout = int(take_option(args, "--timeout", "0"))
    cid, cmd = args[0], args[1:]
    r = call(ch, "ExecSync", message(
        field_bytes(1, cid), *(field_bytes(2, a) for a in cmd), field_varint(3, timeout)))
    result = {"stdout": first(r, 1, b"").decode(errors="replace"),
              "stderr": first(r, 2, b"").decode(errors="replace"),
              "exit_code": int32(r, 3)}
    print(json.dumps(result))


def by_id(method):
    """A command whose request is just the id in field 1 and prints nothing."""

    def command(ch, args):
        call(ch, method, field_bytes(1, args[0]))

    return command


def cmd_stop(ch, args):
    timeout = int(take_option(args, "--timeout", "0"))
    call(ch, "StopContainer", message(field_bytes(1, args[0]), field_varint(2, timeout)))


COMMANDS = {
    "version": cmd_version,
    "runp": cmd_runp,
    "create": cmd_create,
    "start": by_id("StartContainer"),
    "inspect": cmd_inspect,
    "inspectp": cmd_inspectp,
    "exec-sync": cmd_exec_sync,
    "stop": cmd_stop,
    "rm": by_id("RemoveContainer"),
    "stopp": by_id("StopPodSandbox"),
    "rmp": by_id("RemovePodSandbox"),
}


def main(argv):
    args = list(argv)
    socket = take_option(args, "--socket", os.environ.get("CRI_SOCKET"))
    if not socket or not args or args[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with grpc.insecure_channel("unix://" + socket) as channel:
        try:
            return COMMANDS[args[0]](channel, args[1:]) or 0
        except grpc.RpcError as e:
            print(f"{e.code().name}: {e.details()}", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
