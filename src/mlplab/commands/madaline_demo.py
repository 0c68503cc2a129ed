"""XOR, the problem no single linear unit solves: the perceptron, one Adaline (its linear output
thresholded at 0) and a Madaline (Adalines voting through an OR unit, trained by MRI) on the
four XOR corners and on the built-in noisy ``xor`` blobs.
"""

NAME = "madaline-demo"
HELP = "XOR: perceptron and one Adaline fail, a Madaline trained by MRI separates it"


def add_arguments(parser):
    parser.add_argument("--adalines", type=int, default=2, help="Adalines in the Madaline (2)")
    parser.add_argument(
        "--logic", default="or", choices=["or", "and", "majority"], help="the fixed output unit"
    )
    parser.add_argument("--lr", type=float, default=0.5, help="α of the α-LMS steps, in (0, 2)")
    parser.add_argument("--epochs", type=int, default=100, help="most passes over the data")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights, order and data")


class ThresholdedAdaline:
    """One Adaline trained on targets ±1 by batch LMS, classifying by the sign of its output."""

    def __init__(self, epochs, seed):
        from mlplab.classic.adaline import Adaline

        self.adaline = Adaline(lr=0.1, epochs=max(epochs, 200), mode="batch", seed=seed)

    def fit(self, x, y):
        import numpy as np

        self.classes_ = np.unique(y)
        self.adaline.fit(x, np.where(y == self.classes_[1], 1.0, -1.0))
        return self

    def score(self, x, y):
        import numpy as np

        predicted = self.classes_[(self.adaline.predict(x) > 0).astype(int)]
        return float(np.mean(predicted == y))


def xor_problems(seed):
    """(name, x_train, y_train, x_test, y_test): the four corners, and the noisy blobs."""
    import numpy as np

    from mlplab.data.builtin import DATASETS

    corners = np.array([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    labels = np.array([0, 1, 1, 0])
    blobs = DATASETS.get("xor")(seed=seed)
    return [
        ("xor corners", corners, labels, corners, labels),
        ("xor blobs", blobs.x_train, blobs.y_train, blobs.x_test, blobs.y_test),
    ]


def compare_on_xor(adalines=2, logic="or", lr=0.5, epochs=100, seed=0) -> list[dict]:
    """Train the three models on each XOR problem; one row per (problem, model)."""
    from mlplab.classic.madaline import Madaline
    from mlplab.classic.perceptron import Perceptron

    rows = []
    for problem, x, y, x_test, y_test in xor_problems(seed):
        models = [
            ("perceptron", Perceptron(epochs=epochs, seed=seed)),
            ("adaline", ThresholdedAdaline(epochs, seed)),
            (
                f"madaline ({adalines} x {logic})",
                Madaline(adalines, logic, lr=lr, epochs=epochs, seed=seed),
            ),
        ]
        for name, model in models:
            model.fit(x, y)
            rows.append(
                {
                    "data": problem,
                    "model": name,
                    "train_accuracy": model.score(x, y),
                    "test_accuracy": model.score(x_test, y_test),
                    "epochs": len(getattr(model, "mistakes_", [])) or None,
                }
            )
    return rows


def run(args) -> int:
    from mlplab.commands._output import emit, format_table

    rows = compare_on_xor(args.adalines, args.logic, args.lr, args.epochs, args.seed)
    text = format_table(
        ["data", "model", "train acc.", "test acc.", "epochs"],
        [
            (r["data"], r["model"], r["train_accuracy"], r["test_accuracy"], r["epochs"] or "-")
            for r in rows
        ],
    )
    emit(args, {"results": rows}, text)
    return 0
