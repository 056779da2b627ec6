"""PyTorch reference for MRNeuralBench: the same SAC-style and PPO/GRU-style updates, timed the same way.

Run on one core, one thread (see README.md beside this file):
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 taskset -c 0 python torch_bench.py [--iterations N]
Options: --sac-only, --ppo-only, --adam default|foreach|fused (Adam implementation; default: try all, report each).
"""
import argparse
import os
import statistics
import time

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def adam(params, lr, kind):
    if kind == "foreach":
        return torch.optim.Adam(params, lr=lr, foreach=True)
    if kind == "fused":
        return torch.optim.Adam(params, lr=lr, fused=True)
    return torch.optim.Adam(params, lr=lr)


class SAC:
    """Twin Q networks with targets, tanh-Gaussian policy, learned temperature (as main.swift)."""

    def __init__(self, kind, obs_dim=17, act_dim=6, batch=256, hidden=(256, 256)):
        self.obs_dim, self.act_dim, self.batch = obs_dim, act_dim, batch
        self.gamma, self.tau = 0.99, 0.005
        self.pi = mlp([obs_dim, *hidden, 2 * act_dim])
        self.q1 = mlp([obs_dim + act_dim, *hidden, 1])
        self.q2 = mlp([obs_dim + act_dim, *hidden, 1])
        self.q1_t = mlp([obs_dim + act_dim, *hidden, 1])
        self.q2_t = mlp([obs_dim + act_dim, *hidden, 1])
        self.q1_t.load_state_dict(self.q1.state_dict())
        self.q2_t.load_state_dict(self.q2.state_dict())
        for p in list(self.q1_t.parameters()) + list(self.q2_t.parameters()):
            p.requires_grad_(False)
        self.q_params = list(self.q1.parameters()) + list(self.q2.parameters())
        self.q_target_params = list(self.q1_t.parameters()) + list(self.q2_t.parameters())
        self.log_alpha = torch.zeros((), requires_grad=True)
        self.pi_opt = adam(self.pi.parameters(), 3e-4, kind)
        self.q_opt = adam(self.q_params, 3e-4, kind)
        self.a_opt = adam([self.log_alpha], 3e-4, kind)
        g = torch.Generator().manual_seed(1)
        B, O, A = batch, obs_dim, act_dim
        self.batches = [
            (torch.randn(B, O, generator=g), torch.rand(B, A, generator=g) * 2 - 1, torch.randn(B, 1, generator=g),
             torch.randn(B, O, generator=g), (torch.rand(B, 1, generator=g) < 0.05).float())
            for _ in range(8)
        ]
        self.k = 0

    def dist(self, obs):
        out = self.pi(obs)
        mean, log_std = out[:, : self.act_dim], out[:, self.act_dim :].clamp(-20, 2)
        return mean, log_std

    def sample(self, obs, noise=None):
        mean, log_std = self.dist(obs)
        std = log_std.exp()
        u = mean + std * (torch.randn_like(mean) if noise is None else noise)
        a = torch.tanh(u)
        logp = (-0.5 * ((u - mean) / std) ** 2 - log_std - 0.5 * torch.log(torch.tensor(2 * torch.pi))).sum(-1)
        logp = logp - (2 * (torch.log(torch.tensor(2.0)) - u - nn.functional.softplus(-2 * u))).sum(-1)
        return a, logp

    def update(self, batch=None, noise=(None, None)):
        obs, act, rew, nxt, done = self.batches[self.k % len(self.batches)] if batch is None else batch
        self.k += 1
        alpha = self.log_alpha.detach().exp()
        target_entropy = -float(self.act_dim)
        with torch.no_grad():
            na, nlogp = self.sample(nxt, noise[0])
            x = torch.cat([nxt, na], 1)
            soft_q = torch.min(self.q1_t(x), self.q2_t(x)) - alpha * nlogp.unsqueeze(1)
            y = rew + self.gamma * (1 - done) * soft_q
        x = torch.cat([obs, act], 1)
        q_loss = ((self.q1(x) - y) ** 2).mean() + ((self.q2(x) - y) ** 2).mean()
        self.q_opt.zero_grad(set_to_none=True)
        q_loss.backward()
        self.q_opt.step()
        # Actor: Q parameters frozen, so no gradient is computed for them (as in the Swift version).
        for p in self.q_params:
            p.requires_grad_(False)
        a, logp = self.sample(obs, noise[1])
        x = torch.cat([obs, a], 1)
        pi_loss = (alpha * logp.unsqueeze(1) - torch.min(self.q1(x), self.q2(x))).mean()
        self.pi_opt.zero_grad(set_to_none=True)
        pi_loss.backward()
        self.pi_opt.step()
        for p in self.q_params:
            p.requires_grad_(True)
        a_loss = -(self.log_alpha * (logp.detach() + target_entropy).mean())
        self.a_opt.zero_grad(set_to_none=True)
        a_loss.backward()
        self.a_opt.step()
        with torch.no_grad():
            torch._foreach_lerp_(self.q_target_params, self.q_params, self.tau)
        return q_loss.item(), pi_loss.item()


class PPO:
    """One PPO step of a GRU Gaussian policy with a value head over 16 x 128 steps (as main.swift)."""

    def __init__(self, kind, T=128, B=16, obs_dim=20, act_dim=6, hidden=256):
        self.T, self.B, self.hidden = T, B, hidden
        self.gru = nn.GRU(obs_dim, hidden)
        self.pi_head = nn.Linear(hidden, act_dim)
        self.v_head = nn.Linear(hidden, 1)
        self.log_std = nn.Parameter(torch.full((act_dim,), -0.5))
        self.params = list(self.gru.parameters()) + list(self.pi_head.parameters()) + list(self.v_head.parameters()) + [self.log_std]
        self.opt = adam(self.params, 3e-4, kind)
        g = torch.Generator().manual_seed(2)
        self.obs = torch.randn(T, B, obs_dim, generator=g)
        self.act = torch.randn(T * B, act_dim, generator=g)
        self.old_logp = torch.randn(T * B, generator=g) - 8
        self.adv = torch.randn(T * B, generator=g)
        self.ret = torch.randn(T * B, generator=g)

    def update(self):
        T, B, H = self.T, self.B, self.hidden
        outs, _ = self.gru(self.obs, torch.zeros(1, B, H))
        flat = outs.reshape(T * B, H)
        mean = self.pi_head(flat)
        log_std = self.log_std.expand_as(mean)
        std = log_std.exp()
        logp = (-0.5 * ((self.act - mean) / std) ** 2 - log_std - 0.5 * torch.log(torch.tensor(2 * torch.pi))).sum(-1)
        ratio = (logp - self.old_logp).exp()
        surrogate = torch.min(ratio * self.adv, ratio.clamp(0.8, 1.2) * self.adv).mean()
        v_loss = ((self.v_head(flat).reshape(T * B) - self.ret) ** 2).mean()
        entropy = (log_std + 0.5 + 0.5 * torch.log(torch.tensor(2 * torch.pi))).sum(-1).mean()
        loss = -surrogate + 0.5 * v_loss - 0.01 * entropy
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(self.params, 0.5)
        self.opt.step()
        return loss.item()


def read_checkpoint(path):
    """Reads an MRNeural checkpoint (format in Sources/MRNeural/Checkpoint.swift) into {name: tensor}."""
    import struct
    import zlib
    data = open(path, "rb").read()
    assert data[:8] == b"MRNCKPT1", "not an MRNeural checkpoint"
    version, count, meta, total = struct.unpack_from("<IIIQ", data, 8)
    assert version == 1 and total == len(data), "bad version or length"
    assert struct.unpack_from("<I", data, total - 4)[0] == zlib.crc32(data[: total - 4]), "checksum mismatch"
    at = 28
    for _ in range(2 * meta):
        (n,) = struct.unpack_from("<I", data, at)
        at += 4 + n
    headers = []
    for _ in range(count):
        (n,) = struct.unpack_from("<I", data, at)
        name = data[at + 4 : at + 4 + n].decode()
        at += 4 + n
        dtype, rank = data[at], data[at + 1]
        at += 2
        shape = list(struct.unpack_from(f"<{rank}Q", data, at))
        at += 8 * rank
        headers.append((name, dtype, shape))
    out = {}
    for name, dtype, shape in headers:
        dt, size = (torch.float32, 4) if dtype == 0 else (torch.float64, 8)
        numel = 1
        for d in shape:
            numel *= d
        out[name] = torch.frombuffer(bytearray(data[at : at + numel * size]), dtype=dt).reshape(shape).clone()
        at += numel * size
    return out


def check(path):
    """Replays the SAC update dumped by `MRNeuralBench --dump-sac PATH` and compares the results."""
    t = read_checkpoint(path)
    sac = SAC("default")

    def load(module, prefix):
        linears = [m for m in module if isinstance(m, nn.Linear)]
        with torch.no_grad():
            for i, lin in enumerate(linears):
                lin.weight.copy_(t[f"{prefix}.{i}.weight"].T)  # MRNeural stores W as [in, out]
                lin.bias.copy_(t[f"{prefix}.{i}.bias"])

    load(sac.pi, "init/pi")
    load(sac.q1, "init/q1")
    load(sac.q2, "init/q2")
    load(sac.q1_t, "init/q1")
    load(sac.q2_t, "init/q2")
    batch = tuple(t[f"batch/{k}"] for k in ["obs", "act", "rew", "next", "done"])
    ql, pl = sac.update(batch, (t["noise/next"], t["noise/now"]))
    print(f"q loss: swift {t['loss/q'].item():.6f}  torch {ql:.6f}")
    print(f"pi loss: swift {t['loss/pi'].item():.6f}  torch {pl:.6f}")
    worst = 0.0
    for prefix, module in [("pi", sac.pi), ("q1", sac.q1), ("q2", sac.q2)]:
        linears = [m for m in module if isinstance(m, nn.Linear)]
        for i, lin in enumerate(linears):
            for kind, mine in [("weight", lin.weight.detach().T), ("bias", lin.bias.detach())]:
                new, old = t[f"after/{prefix}.{i}.{kind}"], t[f"init/{prefix}.{i}.{kind}"]
                # Compare the update steps θ' − θ, relative to the step size.
                worst = max(worst, ((new - old) - (mine - old)).abs().max().item() / (mine - old).abs().max().item())
    alpha_diff = abs(t["after/log_alpha"].item() - sac.log_alpha.item())
    print(f"parameter updates: max |Δswift − Δtorch| / max|Δtorch| = {worst:.2e}; log α differs by {alpha_diff:.2e}")
    ok = abs(t["loss/q"].item() - ql) < 1e-4 * max(1, abs(ql)) and abs(t["loss/pi"].item() - pl) < 1e-4 * max(1, abs(pl)) and worst < 1e-2
    print("MATCH" if ok else "MISMATCH")
    return ok


def timed(name, fn, warmup, iterations):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    med, mean, mn = statistics.median(samples), statistics.fmean(samples), min(samples)
    print(f"{name}: median {med * 1e3:.2f} ms, mean {mean * 1e3:.2f} ms, min {mn * 1e3:.2f} ms per update ({iterations} updates)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iterations", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--sac-only", action="store_true")
    ap.add_argument("--ppo-only", action="store_true")
    ap.add_argument("--adam", choices=["default", "foreach", "fused", "all"], default="all")
    ap.add_argument("--check", metavar="PATH", help="replay a SAC update dumped by MRNeuralBench --dump-sac PATH")
    args = ap.parse_args()
    if args.check:
        raise SystemExit(0 if check(args.check) else 1)
    kinds = ["default", "foreach", "fused"] if args.adam == "all" else [args.adam]
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, BLAS: {'MKL' if torch.backends.mkl.is_available() else 'other'}, "
          f"CPU capability {torch.backends.cpu.get_cpu_capability()}")
    for kind in kinds:
        if not args.ppo_only:
            sac = SAC(kind)
            timed(f"SAC update (batch 256, (256,256) twin Q + policy, Adam {kind})", sac.update, args.warmup, args.iterations)
        if not args.sac_only:
            ppo = PPO(kind)
            timed(f"PPO-GRU update (16 sequences x 128 steps, GRU 256, Adam {kind})", ppo.update,
                  max(2, args.warmup // 5), max(5, args.iterations // 5))


if __name__ == "__main__":
    main()
