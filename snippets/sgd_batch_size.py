# %% [markdown] tags=["zh"]
# # 批量大小：按迭代周期看，按更新次数看
#
# 读完这个程序，你能说清批量大小改变了什么（每个迭代周期的更新次数、每一步的噪声）、没有改变什么（每一步的期望方向）。
# 批量大小 $|\mathcal{B}|$ 和学习率一样是超参数（见[正文](../sgd-hyperparameters.md#batch-size)）。这个程序固定 $\eta = 0.03$ 和初始值，
# 用 $|\mathcal{B}| = 1, 10, 100, 1000$（1000 就是整个数据集，即全批量梯度下降）各训练一次，
# 每次更新后记录整个数据集上的损失，然后用两种横轴画同一批结果。
#
# - **按迭代周期**（第一张图）：一个迭代周期把 1000 个样本各用一次，
#   $|\mathcal{B}| = 1$ 更新 1000 次，$|\mathcal{B}| = 1000$ 只更新 1 次。
#   所以按迭代周期数，小批量遥遥领先：全批量 3 个周期只走了 3 步，损失几乎没动。
# - **按更新次数**（第二张图）：四条曲线的走势几乎一样，因为每一步用的都是“平均梯度”，
#   期望相同，区别只在噪声。$|\mathcal{B}|$ 越小，平均的样本越少，曲线抖得越厉害；
#   全批量的曲线是光滑、单调下降的。
#
# 所以批量大小是在“每一步算多少”和“每一步多准”之间取舍：$|\mathcal{B}|$ 越大，一步要算的样本越多，
# 但这一步的方向越准。

# %% [markdown] tags=["en"]
# # Batch size: per epoch and per update
#
# After this program you can say what the batch size changes (the number of updates per epoch, the
# noise of each step) and what it does not (the expected direction of each step).
# The batch size $|\mathcal{B}|$ is a hyperparameter like the learning rate (see
# [the chapter](../sgd-hyperparameters.md#batch-size)). This program fixes
# $\eta = 0.03$ and the initial values, trains once with each of $|\mathcal{B}| = 1, 10, 100, 1000$
# (1000 is the whole data set: full-batch gradient descent), records the loss on the whole data set
# after every update, and plots the same runs against two x-axes.
#
# - **Per epoch** (first figure): an epoch uses each of the 1000 examples once, so
#   $|\mathcal{B}| = 1$ makes 1000 updates per epoch and $|\mathcal{B}| = 1000$ makes 1. Counted in
#   epochs, small batches win by far: full batch takes 3 steps in 3 epochs and barely moves.
# - **Per update** (second figure): the four curves follow almost the same trend, because every
#   step uses an *averaged* gradient with the same expected value; they differ only in noise. The
#   smaller $|\mathcal{B}|$, the fewer examples are averaged and the more the curve shakes; the
#   full-batch curve is smooth and decreases at every update.
#
# So the batch size trades how much one step computes against how accurate that step is: a larger
# $|\mathcal{B}|$ means more examples to compute per step, and a more accurate direction.

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


def train(batch_size, num_epochs, num_updates, lr=0.03):
    """Loss on the whole data set after each of the first num_updates updates,
    and after each epoch; runs as many epochs as both need."""
    torch.manual_seed(1)
    w = torch.normal(0.0, 0.01, size=(2, 1)).to(device).requires_grad_()
    b = torch.zeros(1, device=device, requires_grad=True)

    def full_loss():
        with torch.no_grad():
            return squared_loss(linreg(features, w, b), labels).mean().item()

    per_update, per_epoch = [full_loss()], [full_loss()]
    updates_per_epoch = -(-len(features) // batch_size)
    epochs = max(num_epochs, -(-num_updates // updates_per_epoch))
    for epoch in range(epochs):
        indices = torch.randperm(len(features)).to(device)
        for i in range(0, len(features), batch_size):
            j = indices[i : i + batch_size]
            X, y = features.index_select(0, j), labels.index_select(0, j)
            squared_loss(linreg(X, w, b), y).sum().backward()
            sgd([w, b], lr, len(y))
            if len(per_update) <= num_updates:
                per_update.append(full_loss())
        if epoch < num_epochs:
            per_epoch.append(full_loss())
    return per_epoch, per_update


num_epochs, num_updates = 3, 400
batch_sizes = [1, 10, 100, 1000]
per_epoch, per_update = {}, {}
for batch_size in batch_sizes:
    per_epoch[batch_size], per_update[batch_size] = train(batch_size, num_epochs, num_updates)
    updates = len(features) // batch_size
    print(f"|B| = {batch_size:<4}  {updates:>4} update{'s' if updates > 1 else ' '} per epoch;  "
          f"loss after {num_epochs} epochs {per_epoch[batch_size][-1]:.2e}, "
          f"after {num_updates} updates {per_update[batch_size][-1]:.2e}")

# %%
noise_floor = 0.01**2 / 2
fig, ax = plt.subplots(figsize=(6, 3.5), dpi=90)
for batch_size in batch_sizes:
    ax.semilogy(range(num_epochs + 1), per_epoch[batch_size], "o-", label=f"|B| = {batch_size}")
ax.axhline(noise_floor, ls="--", color="gray", label="σ²/2")
ax.set_xticks(range(num_epochs + 1))
ax.set_xlabel("epoch (η = 0.03)")
ax.set_ylabel("loss")
ax.legend(ncol=2, fontsize=8)
fig.tight_layout()
plt.show()

# %%
full = per_update[1000]
fig, (top, bottom) = plt.subplots(2, 1, figsize=(6, 4.5), dpi=90, sharex=True,
                                  gridspec_kw={"height_ratios": [3, 2]})
for batch_size in batch_sizes:
    losses = per_update[batch_size]
    top.semilogy(range(num_updates + 1), losses, lw=1, label=f"|B| = {batch_size}")
    bottom.plot(range(251), [losses[k] / full[k] for k in range(251)], lw=1)
top.axhline(noise_floor, ls="--", color="gray", label="σ²/2")
top.set_ylabel("loss")
top.legend(ncol=2, fontsize=8)
bottom.set_ylabel("loss / loss(|B| = 1000)")
bottom.set_xlabel("updates (η = 0.03)")
fig.tight_layout()
plt.show()

# %% [markdown] tags=["zh"]
# 第二张图的下半部分把每条曲线除以全批量的曲线：全批量自己是一条水平线 1，
# 其余曲线围着它上下抖动，$|\mathcal{B}|$ 越小抖得越厉害。用数字检查这些话：
# “抖动”取前 250 次更新（都还没到噪声下限）里 $\log(\text{loss}/\text{loss}_{|\mathcal{B}|=1000})$ 的均方根。

# %% [markdown] tags=["en"]
# The lower panel of the second figure divides each curve by the full-batch one: full batch itself
# is the flat line at 1, the others swing around it, and the smaller $|\mathcal{B}|$, the wider the
# swing. Check these claims with numbers; the "swing" is the root mean square of
# $\log(\text{loss}/\text{loss}_{|\mathcal{B}|=1000})$ over the first 250 updates (before any run
# reaches the noise floor).

# %%
def swing(losses, first=250):
    logs = [math.log(losses[k] / full[k]) for k in range(first + 1)]
    return math.sqrt(sum(x * x for x in logs) / len(logs))


swings = {batch_size: swing(per_update[batch_size]) for batch_size in batch_sizes}
for batch_size in batch_sizes:
    print(f"|B| = {batch_size:<4}  swing {swings[batch_size]:.3f}")

# per epoch: small batches are far ahead, full batch has barely moved
assert per_epoch[1][-1] < 1.1 * noise_floor and per_epoch[1000][-1] > 0.8 * per_epoch[1000][0]
# per update: all four reach the noise floor (within 10 %) within 400 updates
assert all(per_update[batch_size][-1] < 1.1 * noise_floor for batch_size in batch_sizes)
# full batch (η in the stable range) lowers the loss at every update before the floor
assert all(after < before for before, after in zip(full[:250], full[1:251]))
# the smaller the batch, the noisier the curve
assert swings[1] > 2 * swings[10] > 2 * swings[100] > swings[1000] == 0
