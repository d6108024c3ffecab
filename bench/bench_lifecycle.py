"""Time the lifecycle on the embedded AWS: terraform init / plan / show / apply / destroy of one env.

Run: `.venv/bin/python bench/bench_lifecycle.py [--env local] [--stack PATH/cdk.tf.json]`.
Prints each Terraform step's wall time and citygate's overhead around them (moto start-up, the
override file, state handling) as a ratio to the bare Terraform time a user would otherwise spend.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from citygate.deployment import Deployment
from citygate.moto_server import MotoServer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="local")
    parser.add_argument("--stack", type=Path, help="a synthesized cdk.tf.json (default: synthesize --env)")
    parser.add_argument("--workdir", type=Path, default=Path(".work/bench"))
    args = parser.parse_args()
    if args.stack is None:
        from stacks import synthesize

        args.stack = synthesize([args.env], Path(".work/bench-synth"))[args.env]
    started = time.monotonic()
    with MotoServer() as server:
        deployment = Deployment(args.env, args.stack, args.workdir / args.env, server.endpoint)
        deployment.forget_state()
        deployment.plan()
        deployment.apply()
        deployment.destroy()
    total = time.monotonic() - started
    terraform_time = sum(deployment.terraform.timings.values())
    for step, seconds in deployment.terraform.timings.items():
        print(f"terraform {step:8} {seconds:7.1f} s")
    print(f"total      {total:7.1f} s; citygate overhead {total - terraform_time:.1f} s")
    print(f"ratio total / bare terraform = {total / terraform_time:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
