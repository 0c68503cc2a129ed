"""Run ``mlplab`` commands, each in a forked child that may SIGKILL itself at a chosen point.

    python kill_runner.py PLAN.json     # prints one JSON list: each job's exit status

PLAN is a list of jobs ``{"argv": [...], "kill": null | ["step", N] | ["write", NAME, K],
"stderr": PATH}``: ``step`` kills the process as training step N begins (N − 1 done);
``write`` kills it inside the K-th atomic write of a file named NAME, after the temporary file
was written and flushed and before it replaces NAME. mlplab is imported once; a fork per job
keeps each one's state apart (BLAS runs on one thread, so forking is safe).
"""

import json
import os
import signal
import sys
import traceback


def _arm(kill) -> None:
    if kill is None:
        return
    if kill[0] == "step":
        from mlplab.training import Trainer

        original, target = Trainer._train_step, int(kill[1])

        def step(self, *batch):
            if self.step + 1 == target:
                os.kill(os.getpid(), signal.SIGKILL)
            return original(self, *batch)

        Trainer._train_step = step
        return
    name, count = kill[1], int(kill[2])
    replace, seen = os.replace, []

    def replace_then_die(src, dst, *args, **kwargs):
        if os.path.basename(dst) == name:
            seen.append(dst)
            if len(seen) == count:
                os.kill(os.getpid(), signal.SIGKILL)
        return replace(src, dst, *args, **kwargs)

    os.replace = replace_then_die


def _child(job) -> int:
    fd = os.open(job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 2)
    sys.stderr = os.fdopen(2, "w", buffering=1)
    try:
        _arm(job.get("kill"))
        from mlplab.cli import main

        return main(job["argv"])
    except BaseException:
        traceback.print_exc()
        return 1


def main(plan_path) -> None:
    import matplotlib.pyplot  # noqa: F401  (imported once, before the forks)

    import mlplab.cli  # noqa: F401

    results = []
    with open(plan_path) as f:
        plan = json.load(f)
    for job in plan:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = _child(job)
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        results.append(os.waitstatus_to_exitcode(status))
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1])
