#!/usr/bin/python3
"""The pod flow of bench-cri.sh as kubelet drives it: one long-lived gRPC
connection per server, RunPodSandbox + CreateContainer + StartContainer,
then the container's first output line in its CRI log.  crictl pays a Go
process start and a new connection per call, the same on both sides,
which hides the servers' own share; this client pays neither.

    cri_flow.py ROUNDS WORK IMAGE SIDE=SOCKET[:CGROUP_PARENT]...

Sides run interleaved, round by round; each timed flow's nanoseconds are
appended to WORK/grpc-SIDE.ns and its pod is stopped and removed (untimed).
Messages are encoded by tests/integration/tools/cri_client.py.
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration", "tools"))
import grpc  # noqa: E402
from cri_client import call, encode, field_bytes, message, text  # noqa: E402


def pod_config(side, name, logs, parent):
    linux = {"security_context": {"namespace_options": {"network": "NODE"}}}
    if parent:
        linux["cgroup_parent"] = parent
    return {"metadata": {"name": name, "namespace": "bench", "uid": name + "-uid", "attempt": 1},
            "log_directory": logs, "linux": linux}


def container_config(image):
    return {"metadata": {"name": "c"}, "image": {"image": image},
            "command": ["sh", "-c", "echo ready; exec sleep 600"], "log_path": "c.log",
            "linux": {}}


def wait_ready(log, t0):
    while time.monotonic_ns() - t0 < 30_000_000_000:
        try:
            with open(log, "rb") as f:
                if b" ready\n" in f.read():
                    return
        except FileNotFoundError:
            pass
        time.sleep(0.0005)
    raise SystemExit(f"cri_flow: no output in {log}")


def one_pod(channel, side, round_name, work, image, parent):
    name = f"grpc-{side}-{round_name}"
    logs = os.path.join(work, "logs", name)
    pod = encode("PodSandboxConfig", pod_config(side, name, logs, parent))
    ctr = encode("ContainerConfig", container_config(image))
    t0 = time.monotonic_ns()
    sandbox = text(call(channel, "RunPodSandbox", message(field_bytes(1, pod))), 1)
    cid = text(call(channel, "CreateContainer", message(
        field_bytes(1, sandbox), field_bytes(2, ctr), field_bytes(3, pod))), 1)
    call(channel, "StartContainer", field_bytes(1, cid))
    wait_ready(os.path.join(logs, "c.log"), t0)
    elapsed = time.monotonic_ns() - t0
    call(channel, "StopPodSandbox", field_bytes(1, sandbox))
    call(channel, "RemovePodSandbox", field_bytes(1, sandbox))
    return elapsed


def main(argv):
    if len(argv) < 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rounds, work, image = int(argv[0]), argv[1], argv[2]
    sides = []
    for arg in argv[3:]:
        side, _, rest = arg.partition("=")
        sock, _, parent = rest.partition(":")
        sides.append((side, grpc.insecure_channel("unix://" + sock), parent))
    for side, channel, parent in sides:  # a warm-up each, untimed
        one_pod(channel, side, "warmup", work, image, parent)
    for r in range(rounds):
        for side, channel, parent in sides:
            ns = one_pod(channel, side, str(r), work, image, parent)
            with open(os.path.join(work, f"grpc-{side}.ns"), "a") as f:
                f.write(f"{ns}\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except grpc.RpcError as e:
        print(f"cri_flow: {e.code().name}: {e.details()}", file=sys.stderr)
        sys.exit(1)
