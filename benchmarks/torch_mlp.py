"""The PyTorch MLP recipe of the accuracy benchmark: a reasonable hand-written baseline.

Standardized inputs; two hidden layers of 256, ReLU, dropout 0.2; AdamW (lr 1e-3, decoupled
weight decay 1e-2); batches of 128; cosine decay of the learning rate over a budget of
max(3,000 steps, 20 epochs) capped at 300 epochs; early stopping on the validation loss
of a stratified 15 % validation split of the training rows (patience: 10 epochs or 150 steps,
whichever is longer) that restores the best epoch's weights. A test oracle of the
benchmark, never a dependency of mlplab.
"""

import copy
import math

import numpy as np


def fit_predict(x_train, y_train, x_test, seed: int, batch_size: int = 128):
    """Train on (x_train, y_train) and return (predicted test labels, epochs run)."""
    import torch
    from sklearn.model_selection import train_test_split

    torch.manual_seed(seed)
    x_fit, x_val, y_fit, y_val = train_test_split(
        x_train, y_train, test_size=0.15, stratify=y_train, random_state=seed
    )
    mean, std = x_fit.mean(0), x_fit.std(0) + 1e-8
    as_tensor = lambda x: torch.as_tensor((x - mean) / std, dtype=torch.float32)  # noqa: E731
    x_fit, x_val, x_test = as_tensor(x_fit), as_tensor(x_val), as_tensor(x_test)
    y_fit, y_val = torch.as_tensor(y_fit), torch.as_tensor(y_val)
    classes = int(max(y_train.max(), y_val.max())) + 1
    net = torch.nn.Sequential(
        torch.nn.Linear(x_fit.shape[1], 256), torch.nn.ReLU(), torch.nn.Dropout(0.2),
        torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Dropout(0.2),
        torch.nn.Linear(256, classes),
    )  # fmt: skip
    steps_per_epoch = math.ceil(len(x_fit) / batch_size)
    epochs = min(300, max(20, math.ceil(3000 / steps_per_epoch)))
    patience = max(10, math.ceil(150 / steps_per_epoch))
    optimizer = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-2)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs * steps_per_epoch)
    best, best_state, waited, ran = math.inf, None, 0, 0
    for epoch in range(1, epochs + 1):
        ran = epoch
        net.train()
        for batch in torch.randperm(len(x_fit)).split(batch_size):
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(net(x_fit[batch]), y_fit[batch]).backward()
            optimizer.step()
            schedule.step()
        net.eval()
        with torch.no_grad():
            loss = torch.nn.functional.cross_entropy(net(x_val), y_val).item()
        if loss < best:
            best, best_state, waited = loss, copy.deepcopy(net.state_dict()), 0
        else:
            waited += 1
            if waited >= patience:
                break
    net.load_state_dict(best_state)
    net.eval()
    with torch.no_grad():
        return np.asarray(net(x_test).argmax(1)), ran
