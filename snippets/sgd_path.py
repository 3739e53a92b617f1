# %% [markdown] tags=["zh"]
# # 参数在损失等高线上走过的路
#
# 读完这个程序，你能在损失的等高线上读出全批量和单样本小批量的参数各走了一条什么样的路。
# 前两个程序只看损失随时间怎么变；这个程序看**参数**怎么走（见[正文](../sgd-hyperparameters.md#experiment-path)）。横轴是 $w_1$，纵轴是 $w_2$，
# 灰色等高线是整个数据集上的平均损失（把偏置固定在最优值 $b^*$ 上画出的切面），
# 星号是最小二乘解。两种设置从同一个初始点（接近原点）出发，学习率都是 $\eta = 0.03$，各走 250 步：
#
# - **左图，$|\mathcal{B}| = 1000$（全批量）**：每一步都沿着整个数据集的负梯度方向，路径光滑。
#   这份数据的两个特征独立、方差都是 1，等高线近似圆，所以负梯度几乎直指最低点，路径近乎一条直线。
# - **右图，$|\mathcal{B}| = 1$**：每一步只看一个样本，方向是真实梯度加上噪声，路径左右摇摆；
#   但平均下来方向是对的，最后也到了星号附近。
#
# 两条路终点相同、长度不同：程序算出两条路的总长度与起点到终点直线距离之比，
# 全批量接近 1（几乎是直线），$|\mathcal{B}| = 1$ 约为 1.8：路程长了约 80%。

# %% [markdown] tags=["en"]
# # The path of the parameters over the loss contours
#
# After this program you can read, on the loss contours, the paths that full-batch descent and
# single-example mini-batches take through parameter space.
# The two previous programs watch the loss over time; this one watches the **parameters** (see
# [the chapter](../sgd-hyperparameters.md#experiment-path)). The x-axis
# is $w_1$, the y-axis $w_2$; the grey contours are the mean loss on the whole data set (a slice with
# the bias fixed at its optimum $b^*$); the star is the least-squares solution. Two settings start
# from the same point (near the origin), both with $\eta = 0.03$, 250 updates each:
#
# - **Left, $|\mathcal{B}| = 1000$ (full batch)**: every step follows the negative gradient of the
#   whole data set, and the path is smooth. The two features of this data set are independent with
#   variance 1, so the contours are nearly circles and the negative gradient points almost straight
#   at the minimum: the path is nearly a straight line.
# - **Right, $|\mathcal{B}| = 1$**: every step sees one example; its direction is the true gradient
#   plus noise, so the path wobbles; on average the direction is right, and it too ends near the star.
#
# Same end, different lengths: the program computes each path's length divided by the straight
# distance from start to end. Full batch gives nearly 1 (a straight line); $|\mathcal{B}| = 1$ gives
# about 1.8: a path about 80 % longer.

# %%
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


def path(batch_size, num_updates=250, lr=0.03):
    """(w1, w2) after 0, 1, ..., num_updates updates."""
    torch.manual_seed(1)
    w = torch.normal(0.0, 0.01, size=(2, 1)).to(device).requires_grad_()
    b = torch.zeros(1, device=device, requires_grad=True)
    points = [w.detach().flatten().tolist()]
    while len(points) <= num_updates:
        indices = torch.randperm(len(features)).to(device)
        for i in range(0, len(features), batch_size):
            j = indices[i : i + batch_size]
            X, y = features.index_select(0, j), labels.index_select(0, j)
            squared_loss(linreg(X, w, b), y).sum().backward()
            sgd([w, b], lr, len(y))
            points.append(w.detach().flatten().tolist())
            if len(points) > num_updates:
                break
    return torch.tensor(points)


paths = {batch_size: path(batch_size) for batch_size in (1000, 1)}

# least-squares solution on [X, 1]: the minimum of the loss
X1 = torch.cat([features, torch.ones(len(features), 1, device=device)], dim=1)
w1_star, w2_star, b_star = torch.linalg.lstsq(X1, labels.view(-1, 1)).solution.flatten().tolist()

# mean loss on a grid of (w1, w2), with b fixed at b_star
grid1, grid2 = torch.meshgrid(torch.linspace(-0.5, 3.0, 120), torch.linspace(-4.0, 0.5, 120),
                              indexing="ij")
W = torch.stack([grid1.flatten(), grid2.flatten()]).to(device)  # [2, 14400]: one w per column
grid_loss = ((features @ W + b_star - labels.view(-1, 1)) ** 2 / 2).mean(dim=0)
grid_loss = grid_loss.reshape(grid1.shape).cpu()

# %%
fig, axes = plt.subplots(1, 2, figsize=(7, 3.5), dpi=90, sharey=True)
for ax, (batch_size, points) in zip(axes, paths.items()):
    ax.contour(grid1, grid2, grid_loss, levels=[0.05, 0.25, 0.5, 1, 2, 4, 8],
               colors="gray", linewidths=0.7)
    ax.plot(points[:, 0], points[:, 1], ".-", ms=2, lw=0.8, label=f"|B| = {batch_size}")
    ax.plot(w1_star, w2_star, "*", color="red", ms=12)
    ax.set_title(f"η = 0.03, |B| = {batch_size}, 250 updates", fontsize=9)
    ax.set_xlabel("w₁")
    ax.set_aspect("equal")
axes[0].set_ylabel("w₂")
fig.tight_layout()
plt.show()

# %% [markdown] tags=["zh"]
# 检查：两条路都到了最小二乘解附近（距离不到 0.01）；全批量的路几乎是直线，$|\mathcal{B}| = 1$ 的路长了约 80%。

# %% [markdown] tags=["en"]
# Check: both paths end near the least-squares solution (within 0.01); the full-batch path is nearly
# straight, the $|\mathcal{B}| = 1$ path about 80 % longer.

# %%
def length_ratio(points):
    steps = (points[1:] - points[:-1]).norm(dim=1).sum()
    return (steps / (points[-1] - points[0]).norm()).item()


star = torch.tensor([w1_star, w2_star])
for batch_size, points in paths.items():
    print(f"|B| = {batch_size:<4}  end ({points[-1, 0]:.4f}, {points[-1, 1]:.4f}), "
          f"path length / straight distance = {length_ratio(points):.3f}")
    assert (points[-1] - star).norm() < 0.01

assert length_ratio(paths[1000]) < 1.01  # nearly a straight line
assert 1.7 < length_ratio(paths[1]) < 1.9  # about 80 % longer
