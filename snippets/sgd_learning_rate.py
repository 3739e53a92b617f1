# %% [markdown] tags=["zh"]
# # 学习率：太小、合适、太大
#
# 读完这个程序，你能从损失曲线看出学习率是太小、合适还是太大，并算出它的上限。
# 学习率 $\eta$ 是超参数：训练不会学它，得由我们选（见[正文](../sgd-hyperparameters.md#learning-rate)）。这个程序用同一份数据（1000 个样本，
# 真实 $w = [2, -3.4]^\top$，$b = 4.2$，$\sigma = 0.01$）、同一个初始值、同一串小批量
# （$|\mathcal{B}| = 10$），只改 $\eta$，各训练 3 个迭代周期（300 次更新），
# 记录每次更新后整个数据集上的损失。
#
# 看图：
#
# - $\eta = 0.003$ 太小：300 步后损失还在 1 以上，方向对，只是步子太碎。
# - $\eta = 0.03$（书中的取值）：约 250 步到达噪声下限 $\sigma^2/2$（虚线）。
# - $\eta = 0.3$：在这个问题上更快，不到一个迭代周期（约 20 次更新）就到了下限。学习率大一点常常更好——直到越过某个界限。
# - $\eta = 3$ 太大：沿曲率最大的方向，每一步都越过最低点、越跳越远。纵轴截在 $10^7$，红线很快冲出图框；
#   损失其实涨过了 $10^{35}$，再下一步就超出 float32 能表示的最大值（约 $3.4 \times 10^{38}$），
#   变成 `inf`，再往后是 `nan`。`inf` 和 `nan` 画不出来，图中的文字写明它们从第几次更新开始出现。
#
# 界限在哪里？这里的损失是二次函数，它的海森矩阵是 $\frac{1}{n}[X, 1]^\top[X, 1]$。
# 梯度下降只在 $\eta < 2/\lambda_{\max}$ 时收敛（$\lambda_{\max}$ 是海森矩阵的最大特征值），
# 程序把这个界限算了出来：这份数据上 $2/\lambda_{\max} \approx 1.8$。程序还用 $|\mathcal{B}| = 10$ 试了界限两侧：
# $\eta = 1.7$ 不发散（300 次更新后损失还在噪声下限的 2 倍以上），$\eta = 1.9$ 发散。

# %% [markdown] tags=["en"]
# # Learning rate: too small, good, too large
#
# After this program you can tell from a loss curve whether the learning rate is too small, good or
# too large, and compute its upper limit.
# The learning rate $\eta$ is a hyperparameter: training does not learn it, we choose it (see
# [the chapter](../sgd-hyperparameters.md#learning-rate)). This
# program keeps everything else fixed (the same 1000 examples with true $w = [2, -3.4]^\top$,
# $b = 4.2$, $\sigma = 0.01$; the same initial values; the same sequence of mini-batches with
# $|\mathcal{B}| = 10$), changes only $\eta$, trains for 3 epochs (300 updates) and records the
# loss on the whole data set after every update.
#
# What to see:
#
# - $\eta = 0.003$ is too small: after 300 updates the loss is still above 1. The direction is
#   right, the steps are tiny.
# - $\eta = 0.03$ (the books' value) reaches the noise floor $\sigma^2/2$ (dashed) in about 250 updates.
# - $\eta = 0.3$ is faster on this problem: it reaches the floor in less than one epoch (about 20 updates). A larger learning
#   rate is often better, until it crosses a limit.
# - $\eta = 3$ is too large: along the direction of largest curvature, every step jumps past the
#   minimum and lands farther away. The y-axis is
#   cut at $10^7$ and the red curve soon leaves the plot; the loss actually climbs past $10^{35}$, and
#   the next update takes it beyond the largest float32 value (about $3.4 \times 10^{38}$): it becomes
#   `inf`, and later `nan`. `inf` and `nan` cannot be drawn: the text in the figure says at which
#   update each first appears.
#
# Where is the limit? The loss is quadratic with Hessian $\frac{1}{n}[X, 1]^\top[X, 1]$. Gradient
# descent converges only for $\eta < 2/\lambda_{\max}$ ($\lambda_{\max}$: the largest eigenvalue of
# the Hessian). The program computes this bound on this data: $2/\lambda_{\max} \approx 1.8$. It also
# tries both sides of it with $|\mathcal{B}| = 10$: $\eta = 1.7$ does not diverge (after 300 updates its
# loss is still more than 2 times the noise floor), $\eta = 1.9$ diverges.

# %%
import math

import matplotlib.pyplot as plt
import torch

device = "cuda" if torch.cuda.is_available() else "cpu"
torch.set_num_threads(1)  # tiny tensors: one CPU thread is fastest, more only add overhead
torch.manual_seed(0)
true_w, true_b = torch.tensor([2.0, -3.4]), 4.2
features = torch.randn(1000, 2)
labels = features @ true_w + true_b + torch.normal(0.0, 0.01, size=(1000,))
features, labels = features.to(device), labels.to(device)


def linreg(X, w, b):
    return torch.mm(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.view(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def train(lr, batch_size=10, num_epochs=3):
    """Loss on the whole data set after 0, 1, 2, ... updates."""
    torch.manual_seed(1)  # same initial w and the same batches for every lr
    w = torch.normal(0.0, 0.01, size=(2, 1)).to(device).requires_grad_()
    b = torch.zeros(1, device=device, requires_grad=True)
    losses = []
    for epoch in range(num_epochs):
        indices = torch.randperm(len(features)).to(device)
        for i in range(0, len(features), batch_size):
            with torch.no_grad():
                losses.append(squared_loss(linreg(features, w, b), labels).mean().item())
            j = indices[i : i + batch_size]
            X, y = features.index_select(0, j), labels.index_select(0, j)
            squared_loss(linreg(X, w, b), y).sum().backward()
            sgd([w, b], lr, len(y))
    with torch.no_grad():
        losses.append(squared_loss(linreg(features, w, b), labels).mean().item())
    return losses


learning_rates = [0.003, 0.03, 0.3, 3.0]
results = {lr: train(lr) for lr in learning_rates}
for lr, losses in results.items():
    print(f"η = {lr:<5}  loss after 100, 200, 300 updates: "
          + ", ".join(f"{losses[k]:.2e}" for k in (100, 200, 300)))

# %%
noise_floor = 0.01**2 / 2
fig, ax = plt.subplots(figsize=(6, 3.5), dpi=90)
for lr, losses in results.items():
    finite = [x for x in losses if math.isfinite(x)]
    (line,) = ax.semilogy(range(len(finite)), finite, lw=1.2, label=f"η = {lr}")
    if len(finite) < len(losses):  # diverged: the curve leaves the plot, say where it ends
        first_nan = next(k for k, x in enumerate(losses) if math.isnan(x))
        ax.annotate(f"η = {lr}: loss = inf at update {len(finite)}, nan from {first_nan}",
                    xy=(12, 1e4), xytext=(30, 2e2), color=line.get_color(),
                    arrowprops={"arrowstyle": "->", "color": line.get_color()})
ax.axhline(noise_floor, ls="--", color="gray", label="σ²/2")
ax.set_ylim(1e-5, 1e7)  # the η = 3 curve goes on to 1e38, then inf: clipped here
ax.set_xlabel("updates (|B| = 10)")
ax.set_ylabel("loss")
ax.legend(loc="upper right", ncol=3, fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown] tags=["zh"]
# 检查图里的每一句话，并算出稳定性界限 $2/\lambda_{\max}$：

# %% [markdown] tags=["en"]
# Check each claim of the figure, and compute the stability bound $2/\lambda_{\max}$:

# %%
small, good, fast, large = (results[lr] for lr in learning_rates)
assert small[-1] > 1  # too small: far from the minimum after 3 epochs
arrival = next(k for k, x in enumerate(good) if x < 1.1 * noise_floor)
print(f"η = 0.03 reaches the noise floor (within 10 %) at update {arrival}")
assert 200 < arrival < 300  # the books' lr: about 250 updates
fast_arrival = next(k for k, x in enumerate(fast) if x < 1.1 * noise_floor)
print(f"η = 0.3 reaches it at update {fast_arrival}")
assert 10 < fast_arrival < 30  # larger, still stable: there in about 20 updates, less than 1 epoch (100)
first_inf = next(k for k, x in enumerate(large) if math.isinf(x))
assert 10 < first_inf < 100 and math.isnan(large[-1])  # too large: inf within a few dozen updates, then nan
assert max(x for x in large if math.isfinite(x)) > 1e35  # before inf it passed 1e35

X1 = torch.cat([features, torch.ones(len(features), 1, device=device)], dim=1)
hessian = X1.T @ X1 / len(features)
lambda_max = torch.linalg.eigvalsh(hessian.cpu()).max().item()
print(f"2 / λ_max = {2 / lambda_max:.3f}")
assert 1.80 < 2 / lambda_max < 1.83  # about 1.8: not 2

below, above = train(1.7), train(1.9)  # |B| = 10, on both sides of the bound
print(f"η = 1.7: loss {below[0]:.1f} -> {below[-1]:.1e};  η = 1.9: loss {above[0]:.1f} -> {above[-1]:.1e}")
assert below[-1] < 1e-3 * below[0]  # does not diverge
assert below[-1] > 2 * noise_floor  # but after 300 updates still more than 2 times the noise floor
assert not above[-1] < above[0]  # diverges: the loss ends higher than it started
