"""The epoch loop shared by the error-correcting models (perceptron, Madaline)."""


def train_until_no_mistakes(model, x, targets, rng) -> None:
    """Up to ``model.epochs`` passes of ``model.update(x_p, t_p) -> bool`` (whether p was wrong),
    in a fresh random order per epoch when ``model.shuffle``; stop after an epoch with none.

    Sets ``model.mistakes_`` (wrong examples per epoch, counted while training) and
    ``model.converged_``.
    """
    model.mistakes_ = []
    model.converged_ = False
    for _ in range(model.epochs):
        order = rng.permutation(len(x)) if model.shuffle else range(len(x))
        mistakes = sum(model.update(x[p], targets[p]) for p in order)
        model.mistakes_.append(int(mistakes))
        if mistakes == 0:
            model.converged_ = True
            break
