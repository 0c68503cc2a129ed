"""PyTorch on the built-in digits: the network of ``mlplab train`` — 64 → 256 → 256 → 10, batch
norm before each ReLU, Adam (lr 1e-3), batch 64, 20 epochs. Usage:
``python torch_digits.py MODEL_PATH``."""

import sys

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn

x, y = load_digits(return_X_y=True)
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=0)
scaler = StandardScaler().fit(x_train)
xt = torch.tensor(scaler.transform(x_train), dtype=torch.float32)
yt = torch.tensor(y_train)
torch.manual_seed(0)
net = nn.Sequential(
    nn.Linear(64, 256), nn.BatchNorm1d(256), nn.ReLU(),
    nn.Linear(256, 256), nn.BatchNorm1d(256), nn.ReLU(),
    nn.Linear(256, 10),
)  # fmt: skip
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
for _ in range(20):
    net.train()
    for idx in torch.randperm(len(xt)).split(64):
        opt.zero_grad()
        loss_fn(net(xt[idx]), yt[idx]).backward()
        opt.step()
torch.save(net.state_dict(), sys.argv[1])
net.eval()
with torch.no_grad():
    scores = net(torch.tensor(scaler.transform(x_test), dtype=torch.float32))
print(f"test accuracy {(scores.argmax(1).numpy() == y_test).mean():.4f}")
