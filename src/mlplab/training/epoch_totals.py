"""The running sums of one epoch, from which its mean training loss and accuracy come."""

from dataclasses import astuple, dataclass


@dataclass
class EpochTotals:
    """Σ batch loss·rows, Σ batch penalty·rows, correct predictions and rows seen so far.

    The means weight each minibatch by its rows, as Keras reports them: loss = Σ Lᵦ·nᵦ / Σ nᵦ
    over the minibatches as they were trained (the weights changing between them). The sums
    are Python floats, added in batch order. With sample weights, nᵦ is the batch's Σ w and
    ``correct`` the Σ w of its rows predicted right (both floats).
    """

    loss_sum: float = 0.0
    penalty_sum: float = 0.0
    correct: int = 0
    seen: int = 0

    def add(self, loss: float, penalty: float, rows: float, correct: float = 0) -> None:
        """Count one minibatch of ``rows`` rows (or Σ w) with mean loss ``loss``."""
        self.loss_sum += loss * rows
        self.penalty_sum += penalty * rows
        self.correct += correct
        self.seen += rows

    def reset(self) -> None:
        self.loss_sum, self.penalty_sum, self.correct, self.seen = 0.0, 0.0, 0, 0

    def mean_loss(self) -> float:
        return self.loss_sum / self.seen if self.seen else 0.0

    def mean_penalty(self) -> float:
        return self.penalty_sum / self.seen if self.seen else 0.0

    def accuracy(self) -> float:
        return self.correct / self.seen if self.seen else 0.0

    def to_list(self) -> list:
        """``[loss_sum, penalty_sum, correct, seen]``: the ``sums`` of a checkpoint."""
        return list(astuple(self))

    @classmethod
    def from_list(cls, sums) -> "EpochTotals":
        loss_sum, penalty_sum, correct, seen = sums
        return cls(loss_sum, penalty_sum, correct, seen)
