# %% [markdown] tags=["zh"]
# # 完整程序：从零实现线性回归
#
# 读完这个程序，你能从一条逐步记录的损失曲线看出 SGD 每一步做了什么，也能说清损失为什么停在噪声下限附近。
# 程序把[从零实现线性回归](../sgd-from-scratch.md)一页的代码连起来跑一遍：
# 生成 1000 个样本的人造数据集（真实 $w = [2, -3.4]^\top$，$b = 4.2$，噪声标准差 $\sigma = 0.01$），
# 用学习率 $\eta = 0.03$、批量大小 $|\mathcal{B}| = 10$ 训练 3 个迭代周期，
# 记下**每一步**之后整个数据集上的损失，最后画出来。
#
# 看图时注意三件事：
#
# 1. 纵轴是对数刻度。每个迭代周期有 $1000 / 10 = 100$ 次更新，前一百步里损失下降了近三个数量级。
# 2. 损失最后停在虚线附近。虚线是噪声下限 $\sigma^2/2 = 5\times10^{-5}$：无论 $w, b$ 取什么值，**新数据**上的期望损失都不会低于它。
#    训练损失却可以略低于它（这里最后是 $4.68\times10^{-5}$）：1000 个噪声只是一次抽样，它们的平方的平均值有约 ±4.5% 的起伏，
#    拟合时参数还会吸收一点噪声，所以最小二乘解的损失还要更低一点。
# 3. 圆点是每个迭代周期结束时的损失，就是程序打印的那三行。

# %% [markdown] tags=["en"]
# # The complete program: linear regression from scratch
#
# After this program you can read from a loss curve recorded after every update what each step of SGD
# does, and say why the loss stops near the noise floor. The program runs the code of
# [linear regression from scratch](../sgd-from-scratch.md) end to end: a synthetic data set of 1000 examples (true $w = [2, -3.4]^\top$, $b = 4.2$, noise
# standard deviation $\sigma = 0.01$), trained with learning rate $\eta = 0.03$ and batch size
# $|\mathcal{B}| = 10$ for 3 epochs. It records the loss on the whole data set after **every
# update** and plots it.
#
# What to see in the figure:
#
# 1. The y-axis is logarithmic. An epoch has $1000 / 10 = 100$ updates; in the first hundred the
#    loss falls by almost three orders of magnitude.
# 2. The loss ends next to the dashed line, the noise floor $\sigma^2/2 = 5\times10^{-5}$: whatever $w, b$
#    are, the expected loss on **new data** cannot go below it. The training loss can dip slightly below
#    it (here it ends at $4.68\times10^{-5}$): the 1000 noise values are one draw, the mean of their
#    squares varies by about ±4.5 %, and fitting absorbs a little of the noise, so the least-squares
#    solution's loss is lower still.
# 3. The dots are the loss at the end of each epoch, the three lines the program prints.

# %%
import matplotlib.pyplot as plt
import torch

device = "cuda" if torch.cuda.is_available() else "cpu"
torch.set_num_threads(1)  # tiny tensors: one CPU thread is fastest, more only add overhead
torch.manual_seed(0)

num_examples, num_inputs = 1000, 2
true_w = torch.tensor([2.0, -3.4])
true_b = 4.2
features = torch.randn(num_examples, num_inputs)  # X ~ N(0, 1)
labels = features @ true_w + true_b  # shape [1000]
labels += torch.normal(0.0, 0.01, size=labels.shape)  # noise, sigma = 0.01
features, labels = features.to(device), labels.to(device)
print(features.shape, labels.shape, device)


# %%
def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = torch.randperm(num_examples).to(features.device)  # shuffle
    for i in range(0, num_examples, batch_size):
        j = indices[i : i + batch_size]  # the last batch may be smaller
        yield features.index_select(0, j), labels.index_select(0, j)


def linreg(X, w, b):
    return torch.mm(X, w) + b  # [n, 2] @ [2, 1] + [1] -> [n, 1]


def squared_loss(y_hat, y):
    return (y_hat - y.view(y_hat.shape)) ** 2 / 2  # y: [n] -> [n, 1]


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


# %%
torch.manual_seed(1)
w = torch.normal(0.0, 0.01, size=(num_inputs, 1)).to(device).requires_grad_()
b = torch.zeros(1, device=device, requires_grad=True)
lr, num_epochs, batch_size = 0.03, 3, 10


def full_loss():
    with torch.no_grad():
        return squared_loss(linreg(features, w, b), labels).mean().item()


step_losses = [full_loss()]  # loss after 0, 1, 2, ... updates
epoch_losses = []
for epoch in range(num_epochs):
    for X, y in data_iter(batch_size, features, labels):
        l = squared_loss(linreg(X, w, b), y)
        l.sum().backward()
        sgd([w, b], lr, len(y))  # divide by the actual batch size
        step_losses.append(full_loss())
    epoch_losses.append(step_losses[-1])
    print(f"epoch {epoch + 1}, loss {epoch_losses[-1]:.2e}")

print(f"w = [{w[0, 0].item():.4f}, {w[1, 0].item():.4f}], b = {b.item():.4f}")

# %%
noise_floor = 0.01**2 / 2
updates_per_epoch = (num_examples + batch_size - 1) // batch_size
fig, ax = plt.subplots(figsize=(6, 3.5), dpi=90)
ax.semilogy(range(len(step_losses)), step_losses, lw=1, label="η = 0.03, |B| = 10")
ax.semilogy(
    [updates_per_epoch * (e + 1) for e in range(num_epochs)],
    epoch_losses, "o", label="epoch 1, 2, 3",
)
ax.axhline(noise_floor, ls="--", color="gray", label="σ²/2 = 5e-5")
ax.set_xlabel("updates")
ax.set_ylabel("loss")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown] tags=["zh"]
# 最后检查图里说的事：第一个迭代周期里损失下降了 2 到 3 个数量级，最后落在噪声下限的 10% 以内而且低于它，
# 最小二乘解的损失更低，学到的 $w, b$ 离真实值不到 0.002。

# %% [markdown] tags=["en"]
# Finally, check what the figure says: in the first epoch the loss falls by 2 to 3 orders of
# magnitude, it ends within 10 % of the noise floor and below it, the least-squares solution's loss is
# lower still, and the learned $w, b$ are within 0.002 of the truth.

# %%
assert epoch_losses[0] > epoch_losses[1] > epoch_losses[2]
assert 1e2 < step_losses[0] / step_losses[updates_per_epoch] < 1e3  # almost three orders of magnitude
assert 0.9 * noise_floor < epoch_losses[-1] < noise_floor  # within 10 %, and below the floor
assert abs((2 / num_examples) ** 0.5 - 0.045) < 0.001  # the mean of n squared noise values varies by √(2/n) ≈ 4.5 %
X1 = torch.cat([features, torch.ones(num_examples, 1, device=device)], dim=1)
least_squares = torch.linalg.lstsq(X1.cpu(), labels.view(-1, 1).cpu()).solution.flatten().to(device)
best = squared_loss(linreg(features, least_squares[:2].view(2, 1), least_squares[2:]), labels).mean().item()
print(f"loss: SGD {epoch_losses[-1]:.3e}, least squares {best:.3e}, noise floor {noise_floor:.1e}")
assert best < epoch_losses[-1]  # the least-squares fit absorbs a little more of the noise
assert torch.allclose(w.detach().flatten().cpu(), true_w, atol=0.002)
assert abs(b.item() - true_b) < 0.002
print("checks passed")
