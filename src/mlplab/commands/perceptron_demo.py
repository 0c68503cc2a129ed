"""The Mark I Perceptron demonstration: Rosenblatt's rule learns letters seen by 20×20 photocells.

Letters are drawn from straight strokes on a 20×20 grid (400 inputs, as the Mark I's camera),
shifted by a few pixels and with random pixels flipped; one perceptron unit per letter learns
one-vs-rest with w_i(t+1) = w_i(t) + α(d_j − y_j(t)) x_{j,i}.
"""

NAME = "perceptron-demo"
HELP = "train Rosenblatt's perceptron on 20×20 letter images (the Mark I machine)"


def add_arguments(parser):
    parser.add_argument("--letters", default="AEFHIKLMNTVWXYZ", help="letters to learn")
    parser.add_argument("--per-letter", type=int, default=60, help="training images per letter")
    parser.add_argument("--test-per-letter", type=int, default=30, help="test images per letter")
    parser.add_argument("--max-shift", type=int, default=2, help="largest shift in pixels")
    parser.add_argument("--noise", type=float, default=0.05, help="probability a pixel flips")
    parser.add_argument("--epochs", type=int, default=50, help="most passes over the images")
    parser.add_argument("--lr", type=float, default=1.0, help="learning rate α")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument(
        "--weights-png", default="perceptron_weights.png", help="where to draw the weights"
    )


def run(args) -> int:
    import numpy as np

    from mlplab.classic.letters import ascii_image, letter_images
    from mlplab.classic.perceptron import Perceptron
    from mlplab.commands._output import emit
    from mlplab.errors import ConfigError
    from mlplab.plots.perceptron_weights import plot_perceptron_weights

    letters = "".join(dict.fromkeys(args.letters.upper()))
    if len(letters) < 2:
        raise ConfigError(f"--letters: need at least 2 different letters, got {args.letters!r}")
    common = {"letters": letters, "max_shift": args.max_shift, "noise": args.noise}
    x_train, y_train = letter_images(per_letter=args.per_letter, seed=args.seed, **common)
    x_test, y_test = letter_images(per_letter=args.test_per_letter, seed=args.seed + 1, **common)
    model = Perceptron(lr=args.lr, epochs=args.epochs, seed=args.seed).fit(x_train, y_train)
    train_accuracy = model.score(x_train, y_train)
    test_accuracy = model.score(x_test, y_test)
    examples = np.array([x_test[np.flatnonzero(y_test == c)[0]] for c in model.classes_])
    weights = model.W if model.W.shape[1] > 1 else np.hstack([-model.W, model.W])
    path = plot_perceptron_weights(weights, list(model.classes_), args.weights_png, examples)
    data = {
        "letters": letters,
        "inputs": int(x_train.shape[1]),
        "train_images": len(x_train),
        "test_images": len(x_test),
        "epochs": len(model.mistakes_),
        "converged": model.converged_,
        "mistakes_per_epoch": model.mistakes_,
        "train_accuracy": train_accuracy,
        "test_accuracy": test_accuracy,
        "weights_png": str(path),
    }
    status = "no mistakes in the last epoch" if model.converged_ else "still making mistakes"
    text = "\n".join(
        [
            f"A test image of {model.classes_[0]} as the 400 photocells see it:",
            ascii_image(examples[0]),
            "",
            f"letters {letters}: {len(x_train)} training and {len(x_test)} test images, "
            f"{x_train.shape[1]} inputs",
            f"epochs {len(model.mistakes_)} ({status})",
            f"training accuracy {train_accuracy:.4f}",
            f"test accuracy     {test_accuracy:.4f}",
            f"weights drawn to {path}",
        ]
    )
    emit(args, data, text)
    return 0
