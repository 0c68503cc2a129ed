"""Train a network and write a run directory (model, config, metrics, plots, report).

With no arguments: the recommended default (ReLU, He initialization, batch norm before each
nonlinearity, Adam) on the built-in digits. Every choice can be given by flag or by a TOML file
(--config); flags override the file. The run's own config.toml replays it.
"""

NAME = "train"
HELP = "train a network (default: the recommended MLP on the built-in digits)"

#: (flag, config key, metavar, help). --optimizer, --lr, --momentum, --schedule and
#: --weight-decay are flat settings written into [training.optimizer], [training.schedule] and
#: [training] l2 (``mlplab.config.flat_keys``).
FLAGS = [
    ("--data", "data.source", "NAME|FILE", "built-in dataset name or data file (default digits)"),
    ("--label", "data.label", "COLUMN", "CSV label column(s) by name or index: a or a,b,c"),
    ("--weight", "data.weight", "COLUMN", "sample-weight column (CSV) or arrays (NPZ)"),
    ("--delimiter", "data.delimiter", "CHAR", "CSV field delimiter (default ,; \\t for tab)"),
    ("--val-fraction", "data.validation", "F", "validation share when the data has none"),
    ("--test-fraction", "data.test", "F", "test share when the data has none"),
    ("--data-seed", "data.seed", "N", "seed of the data splits (and generated data)"),
    ("--preprocess", "data.preprocess", "STEPS", "comma-separated steps, or none"),
    ("--hidden", "network.hidden", "SIZES", "hidden layer sizes, e.g. 256,256"),
    (
        "--activation",
        "network.activation",
        "SPEC",
        "relu, leaky_relu, elu, tanh, sigmoid, ...; with hyperparameters leaky_relu:0.1, "
        "elu:alpha=0.5",
    ),
    ("--init", "network.init", "SPEC", "initializer: auto, he, xavier, normal:0.01, ..."),
    ("--norm", "network.norm", "batch|none", "batch norm before each nonlinearity, or none"),
    ("--dropout", "network.dropout", "P", "dropout probability after each hidden layer"),
    ("--loss", "network.loss", "NAME", "softmax, svm, bce (binary, multi-label), mse, huber"),
    ("--dtype", "network.dtype", "float32|float64", "floating-point precision"),
    ("--maxout-pieces", "network.maxout_pieces", "K", "affine pieces per unit (maxout)"),
    (
        "--optimizer",
        "training.optimizer",
        "NAME",
        "sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw",
    ),
    ("--lr", "training.lr", "RATE", "learning rate (the optimizer's lr)"),
    ("--momentum", "training.momentum", "MU", "momentum for momentum/nesterov"),
    ("--schedule", "training.schedule", "SPEC", "constant, step, exponential, cosine, ..."),
    ("--weight-decay", "training.weight_decay", "LAMBDA", "adamw's decoupled decay, else l2"),
    ("--l1", "training.l1", "LAMBDA", "L1 penalty on the weights"),
    ("--max-norm", "training.max_norm", "C", "bound each unit's incoming weight norm (0 = off)"),
    ("--clip-norm", "training.clip_norm", "C", "clip gradients to this global norm (0 = off)"),
    ("--epochs", "training.epochs", "N", "passes over the training data (0 = from --steps)"),
    ("--steps", "training.steps", "N", "step budget that sets the epochs when --epochs is 0"),
    ("--batch-size", "training.batch_size", "N", "examples per minibatch"),
    ("--seed", "training.seed", "N", "seed of initialization, shuffling and dropout"),
    ("--early-stopping", "training.early_stopping", "PATIENCE", "epochs without improvement"),
    (
        "--early-stopping-monitor",
        "training.early_stopping_monitor",
        "METRIC",
        "what early stopping watches (default: val_accuracy, val_loss for regression)",
    ),
    ("--checkpoint-every", "training.checkpoint_every", "N", "epochs between checkpoints"),
    (
        "--checkpoint-overhead",
        "training.checkpoint_overhead",
        "F",
        "the most of the time checkpoints may take; 0 = save every due epoch (default 0.05)",
    ),
    ("--class-weight", "training.class_weight", "balanced|L=W,...", "weights of the classes"),
    ("--keep-best", "training.keep_best", "METRIC", "keep the best epoch, e.g. val_loss"),
    ("--out", "output.dir", "DIR", "run directory (default runs/<data>-<date>-<time>)"),
    ("--tensorboard", "output.tensorboard", "DIR", "write TensorBoard event files to DIR"),
]


def add_arguments(parser):
    parser.add_argument("--config", metavar="FILE", help="TOML run config; flags override it")
    for flag, key, metavar, text in FLAGS:
        parser.add_argument(flag, dest=key.replace(".", "__"), metavar=metavar, help=text)
    parser.add_argument(
        "--callback",
        action="append",
        dest="training__callbacks",
        metavar="SPEC",
        help="add a callback, e.g. update_ratio:every=5 (repeatable)",
    )
    parser.add_argument("--no-plots", action="store_true", help="skip the figures")
    parser.add_argument("--no-bias", action="store_true", help="affine maps without biases")
    parser.add_argument(
        "--force", action="store_true", help="overwrite an existing run directory (--out)"
    )
    parser.add_argument(
        "--resume", metavar="RUN", help="continue an interrupted run from its last checkpoint"
    )
    parser.add_argument(
        "--distributed",
        action="store_true",
        help="data-parallel over MPI ranks: run under mpirun -n N (needs mlplab[mpi])",
    )


def build_config(args):
    """The run config from --config and the flags (flags win)."""
    from mlplab.config import RunConfig, load_config

    config = load_config(args.config) if args.config else RunConfig()
    for flag, key, _, _ in [*FLAGS, ("--callback", "training.callbacks", "", "")]:
        value = getattr(args, key.replace(".", "__"))
        if value is not None:
            config.set(key, value, where=flag)
    if args.no_plots:
        config.output.plots = False
    if args.no_bias:
        config.network.bias = False
    return config.validate()


def run(args) -> int:

    from mlplab.commands._output import emit
    from mlplab.runs import resume, train
    from mlplab.training.distributed import agree, exit_on_error

    comm = None
    if args.distributed:
        from mlplab.training.distributed import world

        comm = world()
    show = not (args.quiet or args.json) and (comm is None or comm.root)
    _one_line_warnings(show)
    options = {"quiet": not show, "progress": None if show else False, "comm": comm}
    try:
        if args.resume:
            agree(comm, lambda: _resume_alone(args))
            result = resume(args.resume, **options)
        else:
            result = train(agree(comm, lambda: build_config(args)), force=args.force, **options)
    except (Exception, KeyboardInterrupt) as e:
        exit_on_error(comm, e)  # off rank 0, or an error not all ranks share: ends the job
        raise
    if result is not None:  # rank 0 reports
        emit(args, result.to_dict(), summary(result))
    return 0


def _resume_alone(args) -> None:
    """--resume takes no other run flags."""
    from mlplab.errors import ConfigError

    given = [k for _, k, _, _ in FLAGS if getattr(args, k.replace(".", "__")) is not None]
    if args.config or given or args.training__callbacks or args.no_bias:
        raise ConfigError("--resume continues a run as it was configured; give no other flags")


def _one_line_warnings(show: bool) -> None:
    """Babysitting warnings (learning rate too low or high...) as one line each on stderr."""
    import sys
    import warnings

    def print_warning(message, category, filename, lineno, file=None, line=None):
        if show:
            print(f"mlplab train: warning: {message}", file=sys.stderr, flush=True)

    warnings.showwarning = print_warning


def summary(run) -> str:
    """The final table: accuracy and loss per split, then epochs, time, parameters, directory."""
    from mlplab.commands._output import format_table

    rows = [
        (name, m.get("examples", 0), m["loss"], m.get("accuracy", float("nan")))
        for key, name in (("train", "training"), ("val", "validation"), ("test", "test"))
        if (m := run.metrics.get(key))
    ]
    table = format_table(["split", "examples", "loss", "accuracy"], rows)
    info = run.info
    return (
        f"{table}\n\n"
        f"network {architecture(run)} · epochs {info.get('epochs')} · "
        f"time {info.get('seconds', 0):.1f} s · parameters {info.get('parameters', 0):,}\n"
        f"run written to {run.directory}  (report: {run.directory / 'report.html'})"
    )


def architecture(run) -> str:
    """Layer widths, input to output (``64 → 256 → 10``); says so when there is no hidden layer
    (``--hidden ""`` trains a linear classifier)."""
    hidden = list(run.config.network.hidden)
    model = run.model
    from mlplab.data.targets import output_size, targets_of_loss

    labels = getattr(model, "labels", None)
    loss = run.config.network.loss
    outputs = "?" if labels is None else output_size(labels, targets_of_loss(loss))
    sizes = [getattr(model, "n_features_in", "?"), *hidden, outputs]
    text = " → ".join(str(n) for n in sizes)
    return text if hidden else f"{text} (linear: no hidden layer)"
