"""(Re)build the plots and report.html of a run from its files, then mark it complete.

For a run whose plots or report could not be written (a full disk, a process killed while
writing them): the model, metrics.csv, run.json and config.toml are enough.

  mlplab report runs/digits-20250101-120000
"""

NAME = "report"
HELP = "rebuild a run's plots and report.html from its files"


def add_arguments(parser):
    parser.add_argument("run_path", metavar="RUN", help="run directory")


def run(args) -> int:
    from mlplab.commands._output import emit
    from mlplab.runs.completion import rebuild_outputs
    from mlplab.runs.directory import REPORT_FILE

    result = rebuild_outputs(args.run_path)
    report = result.directory / REPORT_FILE
    emit(args, {"directory": str(result.directory), "report": str(report),
                "status": result.info.get("status")},
         f"wrote {report} (run {result.info.get('status')})")  # fmt: skip
    return 0
