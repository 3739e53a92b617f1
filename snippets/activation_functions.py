# %% [markdown] tags=["zh"]
# # 激活函数：sigmoid、tanh、ReLU 及其导数
#
# 读完这个程序，你能说清 sigmoid、tanh 和 ReLU 在值域和导数上的区别，以及什么是“死亡 ReLU”。
# [测验第 6 题](../quiz-mlp.md#q6)问：“tanh 可以由 sigmoid 平移伸缩得到，所以两者没有区别”对不对？前半句对，后半句错。
# 程序画出三个激活函数和它们的导数（导数由自动求导算出），并逐条验证：
#
# 1. $\tanh(x) = 2\,\sigma(2x) - 1$ 在数值上成立；
# 2. 但值域不同：sigmoid 在 (0, 1)，tanh 在 (−1, 1)；tanh 以 0 为中心，sigmoid 不是；
# 3. 导数的最大值不同：sigmoid 是 0.25，tanh 是 1，都在 $x = 0$ 处取到；
# 4. ReLU 在 $x > 0$ 时导数恒为 1，所以不会像 sigmoid 那样越乘越小；但在 $x < 0$ 时导数**恰好为 0**——
#    一个对所有样本都输出负数的隐藏单元拿不到梯度；只要它的输入不变（第一个隐藏层的输入就是像素），它就再也拿不到梯度（“死亡 ReLU”）。

# %% [markdown] tags=["en"]
# # Activation functions: sigmoid, tanh, ReLU and their derivatives
#
# After this program you can say how sigmoid, tanh and ReLU differ in range and derivative, and what
# a "dead ReLU" is.
# [Quiz question 6](../quiz-mlp.md#q6) asks whether "tanh can be obtained by shifting and scaling sigmoid, so the two are
# no different" is right. The first half is; the second is not. The program plots the three
# activation functions and their derivatives (computed by autograd) and checks, one by one:
#
# 1. $\tanh(x) = 2\,\sigma(2x) - 1$ holds numerically;
# 2. yet the ranges differ: sigmoid lies in (0, 1), tanh in (−1, 1); tanh is centred on 0, sigmoid
#    is not;
# 3. the largest derivatives differ: 0.25 for sigmoid, 1 for tanh, both at $x = 0$;
# 4. ReLU's derivative is exactly 1 for $x > 0$, so it does not shrink when multiplied through many
#    layers as sigmoid's does; but for $x < 0$ it is **exactly 0** — a hidden unit that outputs a
#    negative pre-activation for every example receives no gradient, and as long as its inputs stay the
#    same (in the first hidden layer they are the pixels) it never receives one again ("dead ReLU").

# %%
import matplotlib.pyplot as plt
import torch

torch.manual_seed(0)
device = "cuda" if torch.cuda.is_available() else "cpu"
torch.set_num_threads(1)  # tiny tensors: one CPU thread is fastest, more only add overhead

x = torch.linspace(-6, 6, 241, device=device, requires_grad=True)
activations = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "ReLU": torch.relu}
values, derivatives = {}, {}
for name, f in activations.items():
    y = f(x)
    (grad,) = torch.autograd.grad(y.sum(), x)  # d f(x_i) / d x_i, element by element
    values[name] = y.detach().cpu()
    derivatives[name] = grad.cpu()

x_cpu = x.detach().cpu()
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(6.4, 3.2), dpi=90)
for name in activations:
    ax1.plot(x_cpu, values[name], label=name)
    ax2.plot(x_cpu, derivatives[name], label=name)
ax1.set_title("f(x)")
ax2.set_title("f′(x)")
for ax in (ax1, ax2):
    ax.axhline(0, color="gray", linewidth=0.5)
    ax.axvline(0, color="gray", linewidth=0.5)
    ax.set_xlabel("x")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown] tags=["zh"]
# 左图：tanh 和 sigmoid 形状很像，但 tanh 过原点、上下对称，sigmoid 整条曲线都在 0 以上。
# 右图：tanh 的导数在 0 处是 1，sigmoid 的只有 0.25；两者离开 0 越远，导数越接近 0。
# ReLU 的导数是一个台阶：左边 0，右边 1。下面把这些话变成断言。

# %% [markdown] tags=["en"]
# Left: tanh and sigmoid look alike, but tanh passes through the origin and is symmetric, while all of
# sigmoid lies above 0. Right: tanh's derivative at 0 is 1, sigmoid's only 0.25; both approach 0 away
# from 0. ReLU's derivative is a step: 0 on the left, 1 on the right. The asserts below check all of
# this.

# %%
with torch.no_grad():
    identity_error = (torch.tanh(x) - (2 * torch.sigmoid(2 * x) - 1)).abs().max().item()
print(f"max |tanh(x) - (2 sigmoid(2x) - 1)| = {identity_error:.1e}")
assert identity_error < 1e-6

s, t = values["sigmoid"], values["tanh"]
print(f"sigmoid range ({s.min():.5f}, {s.max():.5f}), mean over symmetric x {s.mean() + 0:.3f}")
print(f"tanh    range ({t.min():.5f}, {t.max():.5f}), mean over symmetric x {abs(t.mean()):.3f}")
assert 0 < s.min() and s.max() < 1 and -1 < t.min() < 0 < t.max() < 1
assert abs(s.mean() - 0.5) < 1e-6 and abs(t.mean()) < 1e-6  # tanh is zero-centred, sigmoid is not

i0 = torch.argmin(x_cpu.abs())  # the grid point x = 0
for name in ("sigmoid", "tanh"):
    d = derivatives[name]
    print(f"{name}: max derivative {d.max():.4f} at x = {abs(x_cpu[d.argmax()]):.2f}")
assert torch.isclose(derivatives["sigmoid"].max(), torch.tensor(0.25)) and derivatives["sigmoid"].argmax() == i0
assert torch.isclose(derivatives["tanh"].max(), torch.tensor(1.0)) and derivatives["tanh"].argmax() == i0

relu_grad = derivatives["ReLU"]
print("ReLU derivative: x < 0 ->", relu_grad[x_cpu < 0].unique().tolist(), "; x > 0 ->", relu_grad[x_cpu > 0].unique().tolist())
assert (relu_grad[x_cpu < 0] == 0).all() and (relu_grad[x_cpu > 0] == 1).all()

# %% [markdown] tags=["zh"]
# ## 死亡 ReLU {#dead-relu}
#
# 一个隐藏单元 $h = \mathrm{ReLU}(\mathbf{x}^\top\mathbf{w} + b)$。如果它的偏置很负（比如一次过大的更新把
# $b$ 推到了 −10），而像素都在 [0, 1] 里，那么对**每一张**图 $\mathbf{x}^\top\mathbf{w} + b < 0$，
# 输出恒为 0，$\mathbf{w}$ 和 $b$ 的梯度也恰好是 0。它的输入是像素，不会变，所以梯度下降再也改变不了它：这个单元“死”了。
# 对比同样的权重配上 $b = 0$ 时，梯度不为 0。

# %% [markdown] tags=["en"]
# ## Dead ReLU {#dead-relu}
#
# Take a hidden unit $h = \mathrm{ReLU}(\mathbf{x}^\top\mathbf{w} + b)$. If its bias is very negative
# (say one oversized update pushed $b$ to −10) and the pixels lie in [0, 1], then
# $\mathbf{x}^\top\mathbf{w} + b < 0$ for **every** image, the output is always 0 and the gradients of
# $\mathbf{w}$ and $b$ are exactly 0. Its inputs are the pixels, which do not change, so gradient descent
# can never change it again: the unit is "dead".
# With the same weights and $b = 0$, the gradients are not 0.

# %%
X = torch.rand(1000, 64, device=device)  # 1000 "images" with pixels in [0, 1]
w = (torch.randn(64) * 0.1).to(device).requires_grad_()
for bias in (-10.0, 0.0):
    b = torch.tensor(bias, device=device, requires_grad=True)
    h = torch.relu(X @ w + b)
    h.mean().backward()
    print(f"b = {bias:5.1f}: active for {(h > 0).sum().item():4d} of 1000 examples, |grad w| = {w.grad.norm():.3f}, grad b = {b.grad.item():.3f}")
    if bias < 0:
        assert (h == 0).all() and (w.grad == 0).all() and b.grad == 0  # dead: exactly zero gradient
    else:
        assert w.grad.norm() > 0 and b.grad > 0
    w.grad = None
