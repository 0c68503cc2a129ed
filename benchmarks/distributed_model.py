"""The cost of one data-parallel step on N nodes, on paper (``docs/distributed.md``).

    python benchmarks/distributed_model.py --mnist-us 95 --cifar-us 420

Per step, with global batch B, P float32 parameters, t_s seconds of compute per sample on one
node, a ring allreduce at bandwidth β (bytes/s) and latency α (s) per message:

    compute   = B/N · t_s
    allreduce = 2(N−1)·α + 2·P·(N−1)/N · 4 bytes / β          (reduce-scatter + all-gather)
    E(N)      = compute(1) / (N · (compute + allreduce)) = B t_s / (B t_s + N · allreduce)

(no overlap of communication with computation: mlplab sums the gradients after backward).
E ≥ 0.8 ⇔ B ≥ 4 N · allreduce / t_s, or for a given B: β ≥ bytes / (B t_s / (4N) − 2(N−1)α).
"""

import argparse

#: parameters of the benchmark nets (configs.py): 784→512→512→10 and 3072→1024→1024→10
PARAMETERS = {"mnist": 669_706, "cifar": 4_206_602}
BATCH = {"mnist": 128, "cifar": 256}
#: (name, bytes/s, latency s): 10 Gb/s Ethernet over TCP, 100 Gb/s InfiniBand
NETWORKS = [("10 Gb/s, 50 µs", 10e9 / 8, 50e-6), ("100 Gb/s, 5 µs", 100e9 / 8, 5e-6)]


def allreduce_bytes(parameters: int, nodes: int, value_bytes: int = 4) -> float:
    """Bytes each node sends (and receives) in a ring allreduce: 2·P·(N−1)/N·bytes."""
    return 2 * parameters * (nodes - 1) / nodes * value_bytes


def allreduce_seconds(parameters, nodes, bandwidth, latency) -> float:
    return 2 * (nodes - 1) * latency + allreduce_bytes(parameters, nodes) / bandwidth


def efficiency(batch, per_sample, parameters, nodes, bandwidth, latency) -> float:
    compute = batch * per_sample
    return compute / (compute + nodes * allreduce_seconds(parameters, nodes, bandwidth, latency))


def batch_for(per_sample, parameters, nodes, bandwidth, latency, target=0.8) -> float:
    """The smallest global batch at which ``nodes`` nodes keep efficiency ``target``."""
    ratio = target / (1 - target)
    return ratio * nodes * allreduce_seconds(parameters, nodes, bandwidth, latency) / per_sample


def bandwidth_for(batch, per_sample, parameters, nodes, latency, target=0.8) -> float | None:
    """The bandwidth (bytes/s) at which batch ``batch`` keeps efficiency ``target`` (None:
    the latency alone is too much)."""
    budget = batch * per_sample * (1 - target) / target / nodes - 2 * (nodes - 1) * latency
    return allreduce_bytes(parameters, nodes) / budget if budget > 0 else None


def table(per_sample: dict) -> str:
    lines = [
        "| net | P | N | MB per allreduce | network | allreduce ms | E at the benchmark batch "
        "| batch for 80% | Gb/s for 80% at the benchmark batch and this latency |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for net, t_s in per_sample.items():
        p, b = PARAMETERS[net], BATCH[net]
        for nodes in (8, 64):
            for label, beta, alpha in NETWORKS:
                ms = 1e3 * allreduce_seconds(p, nodes, beta, alpha)
                e = efficiency(b, t_s, p, nodes, beta, alpha)
                need = batch_for(t_s, p, nodes, beta, alpha)
                bw = bandwidth_for(b, t_s, p, nodes, alpha)
                bw_text = f"{bw * 8 / 1e9:,.0f}" if bw else "never (latency)"
                lines.append(
                    f"| {net} | {p:,} | {nodes} | {allreduce_bytes(p, nodes) / 1e6:.2f} | {label} "
                    f"| {ms:.2f} | {e:.0%} | {need:,.0f} | {bw_text} |"
                )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-us", type=float, required=True, help="µs per sample, one node")
    parser.add_argument("--cifar-us", type=float, required=True, help="µs per sample, one node")
    args = parser.parse_args()
    print(table({"mnist": args.mnist_us * 1e-6, "cifar": args.cifar_us * 1e-6}))


if __name__ == "__main__":
    main()
