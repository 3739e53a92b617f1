# %% [markdown] tags=["zh"]
# # softmax 回归的简洁实现：损失函数要传入 logits
#
# 读完这个程序，你能用 PyTorch 的现成部件写出 softmax 回归，并说清 `nn.CrossEntropyLoss` 为什么要传入 logits 而不是概率。
# 同一个 softmax 回归、同一份手写数字数据，这次用 PyTorch 的现成部件：`nn.Flatten` + `nn.Linear`
# 做模型，`nn.CrossEntropyLoss` 做损失，`torch.optim.SGD` 做优化。
#
# 从输出里可以看到：
#
# 1. `nn.CrossEntropyLoss` 自己会做 softmax（准确地说是 log-softmax），所以它要的是模型的原始输出
#    （logits）。如果先 softmax 再交给它，算出来的是另一个数，而且有一个**降不下去的下限**：$q$ 个类别时是
#    $\log(e+q-1) - 1$，这里的 10 个类别是 1.461（下面 3 个类别的小例子是 0.551，所以它算出的 0.7450 并不矛盾）；
# 2. 从同一组初始参数出发，传入 logits 的模型损失一路降到 0.2 以下，传入概率的模型损失停在 1.461 之上，
#    测试准确率也更低；
# 3. 传入 logits 的简洁实现，测试准确率与 scikit-learn 的 `LogisticRegression` 在同一水平（相差不到 3 个百分点；
#    最后一个迭代周期的测试准确率随小批量的噪声上下跳动一两个百分点，看训练记录就知道）。
#
# 为什么 softmax 要先减去最大值，见[测验第 4 题](../quiz-softmax.md#q4)。数据与从零实现的程序相同：scikit-learn 自带的 8×8 手写数字（书里用的是需要下载的 Fashion-MNIST）。

# %% [markdown] tags=["en"]
# # Concise softmax regression: the loss takes logits
#
# After this program you can write softmax regression from PyTorch's ready-made parts, and say why
# `nn.CrossEntropyLoss` must be given logits rather than probabilities.
# The same softmax regression on the same handwritten digits, now built from PyTorch's parts:
# `nn.Flatten` + `nn.Linear` for the model, `nn.CrossEntropyLoss` for the loss, `torch.optim.SGD` for
# the optimiser.
#
# In the output you should see:
#
# 1. `nn.CrossEntropyLoss` applies softmax itself (log-softmax, to be exact), so it expects the
#    model's raw outputs (logits). Given softmax outputs instead, it computes a different number with
#    a **floor it cannot go below**: $\log(e+q-1) - 1$ for $q$ classes, 1.461 for the 10 classes here
#    (0.551 for the 3-class example below, so the 0.7450 it prints is no contradiction);
# 2. from the same initial parameters, the model trained on logits drives its loss below 0.2; the one
#    trained on probabilities stays above 1.461 and reaches a lower test accuracy;
# 3. the concise model trained on logits is on a par with scikit-learn's `LogisticRegression` (within
#    3 points; the last epoch's test accuracy jumps by a point or two with the mini-batch noise, as the
#    training log shows).
#
# Why softmax subtracts the maximum first: [quiz question 4](../quiz-softmax.md#q4). The data are those of
# the from-scratch program: scikit-learn's 8×8 handwritten digits (the books
# use Fashion-MNIST, which must be downloaded).

# %%
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
device = "cuda" if torch.cuda.is_available() else "cpu"
torch.set_num_threads(1)  # tiny tensors: one CPU thread is fastest, more only add overhead

digits = load_digits()
X_train_np, X_test_np, y_train_np, y_test_np = train_test_split(
    digits.data / 16, digits.target, test_size=0.25, random_state=0, stratify=digits.target
)
X_train = torch.tensor(X_train_np, dtype=torch.float32).view(-1, 1, 8, 8).to(device)
X_test = torch.tensor(X_test_np, dtype=torch.float32).view(-1, 1, 8, 8).to(device)
y_train = torch.tensor(y_train_np).to(device)
y_test = torch.tensor(y_test_np).to(device)

batch_size = 16
train_iter = DataLoader(TensorDataset(X_train, y_train), batch_size=batch_size, shuffle=True)
print("train:", tuple(X_train.shape), "test:", tuple(X_test.shape), "batches per epoch:", len(train_iter))

# %% [markdown] tags=["zh"]
# ## 模型 {#model}
#
# `nn.Flatten()` 做的就是从零实现里的 `X.view(X.shape[0], -1)`。注意 `nn.Linear(64, 10)` 的权重存成
# (10, 64)，即 (输出个数, 输入个数)，因为它算的是 $XW^\top + b$；从零实现里的 `W` 是 (64, 10)。
# 两种写法是同一个模型，只是权重转置着存。

# %% [markdown] tags=["en"]
# ## The model {#model}
#
# `nn.Flatten()` does what `X.view(X.shape[0], -1)` did in the from-scratch version. Note that
# `nn.Linear(64, 10)` stores its weight as (10, 64), that is (outputs, inputs), because it computes
# $XW^\top + b$; the from-scratch `W` was (64, 10). It is the same model with the weight stored
# transposed.

# %%
def make_net():
    net = nn.Sequential(nn.Flatten(), nn.Linear(8 * 8, 10)).to(device)
    nn.init.normal_(net[1].weight, mean=0, std=0.01)
    nn.init.zeros_(net[1].bias)
    return net


net = make_net()
print(net)
print("weight:", tuple(net[1].weight.shape), "bias:", tuple(net[1].bias.shape))
assert net[1].weight.shape == (10, 64) and net[1].bias.shape == (10,)
assert net(X_train[:5]).shape == (5, 10)

# %% [markdown] tags=["zh"]
# ## `nn.CrossEntropyLoss` 要的是 logits，不是概率 {#logits-not-probabilities}
#
# [PyTorch 文档](https://pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html)写明：
# 输入应当是每个类别**未归一化的** logits。它内部等于 `log_softmax` 接 `nll_loss`，用的是减去最大值的
# log-sum-exp 写法，数值稳定。下面先验证这一点，再看把 softmax 的输出传进去会怎样：
# 概率都在 [0, 1] 里，再做一次 softmax 后，10 个类别中正确类别最多只能分到 $e/(e+9)$，所以损失最小也有
# $\log(e+9) - 1 \approx 1.461$——即使模型已经百分之百确定、而且完全正确（$q$ 个类别时是 $\log(e+q-1) - 1$）。

# %% [markdown] tags=["en"]
# ## `nn.CrossEntropyLoss` takes logits, not probabilities {#logits-not-probabilities}
#
# [PyTorch's documentation](https://pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html)
# says the input is expected to contain the **unnormalised** logits for each class. Inside, it is
# `log_softmax` followed by `nll_loss`, computed with the stable max-subtracting log-sum-exp. We check
# that first, then see what happens when softmax outputs are passed in: the probabilities lie in
# [0, 1], and after a second softmax the correct class among 10 gets at most $e/(e+9)$, so the loss can
# never be below $\log(e+9) - 1 \approx 1.461$ — even for a model that is completely sure and
# completely right ($\log(e+q-1) - 1$ for $q$ classes).

# %%
loss = nn.CrossEntropyLoss()  # reduction="mean": already divided by the batch size

O = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
y = torch.tensor([0, 1])
on_logits = loss(O, y)
on_probs = loss(torch.softmax(O, dim=1), y)
by_hand = -torch.log(torch.softmax(O, dim=1)[torch.arange(2), y]).mean()
print(f"loss(logits)          = {on_logits.item():.4f}")
print(f"-log softmax, by hand = {by_hand.item():.4f}")
print(f"loss(softmax(logits)) = {on_probs.item():.4f}   <- a different, wrong number")
assert torch.isclose(on_logits, by_hand)
assert torch.isclose(on_logits, F.nll_loss(F.log_softmax(O, dim=1), y))
assert not torch.isclose(on_logits, on_probs)

perfect_probs = torch.eye(10)  # a model that is sure and right: probability 1 on the true class
confident_logits = 20 * torch.eye(10)
labels = torch.arange(10)
floor = math.log(math.e + 9) - 1
print(f"perfect model, fed probabilities: {loss(perfect_probs, labels).item():.4f} (floor log(e+9)-1 = {floor:.4f})")
print(f"perfect model, fed logits:        {loss(confident_logits, labels).item():.2e}")
assert math.isclose(loss(perfect_probs, labels).item(), floor, rel_tol=1e-6)
assert loss(confident_logits, labels).item() < 1e-6
for q in (3, 10):  # the floor log(e + q − 1) − 1 depends on the number of classes q
    assert math.isclose(loss(torch.eye(q), torch.arange(q)).item(), math.log(math.e + q - 1) - 1, rel_tol=1e-6)
assert math.log(math.e + 2) - 1 < on_probs.item() < floor  # the 3-class example: above its own floor 0.551, below 1.461

# %% [markdown] tags=["zh"]
# ## 训练：同一起点，两种损失 {#training}
#
# 两个模型的初始参数完全相同，每个迭代周期看到的小批量顺序也相同，唯一的区别是损失函数的输入。
# 学习率 η = 0.3，批量大小 |B| = 16，15 个迭代周期。`nn.CrossEntropyLoss` 默认已经对批量取平均，
# 所以 `optimizer.step()` 不用再除以批量大小（再除一次，就是书里多层感知机要把学习率设成 100 的原因）。

# %% [markdown] tags=["en"]
# ## Training: one start, two losses {#training}
#
# Both models start from identical parameters and see the batches in the same order each epoch; the
# only difference is what the loss is given. Learning rate η = 0.3, batch size |B| = 16, 15 epochs.
# `nn.CrossEntropyLoss` already averages over the batch, so `optimizer.step()` must not divide by the
# batch size again (dividing twice is why the book's MLP needed a learning rate of 100).

# %%
def train(net, loss_fn, num_epochs=15, lr=0.3):
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    history = []
    for epoch in range(num_epochs):
        loss_sum, n = 0.0, 0
        for X, y in train_iter:
            l = loss_fn(net(X), y)
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
            loss_sum += l.item() * len(y)
            n += len(y)
        with torch.no_grad():
            test_acc = (net(X_test).argmax(dim=1) == y_test).float().mean().item()
        history.append({"loss": loss_sum / n, "test": test_acc})
    return history


torch.manual_seed(0)
net_logits = make_net()
torch.manual_seed(0)
net_probs = make_net()
assert all(torch.equal(p, q) for p, q in zip(net_logits.parameters(), net_probs.parameters()))
X0, y0 = X_train[:16], y_train[:16]  # one batch, at the (identical) starting parameters
g_logits = torch.autograd.grad(loss(net_logits(X0), y0), net_logits[1].weight)[0].norm().item()
g_probs = torch.autograd.grad(loss(torch.softmax(net_probs(X0), dim=1), y0), net_probs[1].weight)[0].norm().item()
print(f"gradient norm at the start: loss on logits {g_logits:.3f}, loss on probabilities {g_probs:.3f}")
assert 5 * g_probs < g_logits  # the extra softmax shrinks the gradient (here about 10 times)

torch.manual_seed(1)
hist_logits = train(net_logits, lambda O, y: loss(O, y))
torch.manual_seed(1)  # same shuffling order
hist_probs = train(net_probs, lambda O, y: loss(torch.softmax(O, dim=1), y))

print("epoch | loss(logits) test acc | loss(softmax(logits)) test acc")
for epoch, (a, c) in enumerate(zip(hist_logits, hist_probs), start=1):
    print(f"{epoch:5d} | {a['loss']:12.4f} {a['test']:8.3f} | {c['loss']:21.4f} {c['test']:8.3f}")

# %%
epochs = range(1, len(hist_logits) + 1)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(6.4, 3.2), dpi=90)
ax1.plot(epochs, [h["loss"] for h in hist_logits], "o-", label="loss(logits, y)")
ax1.plot(epochs, [h["loss"] for h in hist_probs], "s-", label="loss(softmax(logits), y)")
ax1.axhline(floor, color="gray", linestyle=":", label="log(e+9) − 1")
ax1.set_xlabel("epoch")
ax1.set_ylabel("loss")
ax1.legend(fontsize=7)
ax2.plot(epochs, [h["test"] for h in hist_logits], "o-", label="logits")
ax2.plot(epochs, [h["test"] for h in hist_probs], "s-", label="softmax(logits)")
ax2.set_xlabel("epoch")
ax2.set_ylabel("test accuracy")
ax2.legend(fontsize=7)
for ax in (ax1, ax2):
    ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown] tags=["zh"]
# 左图：传入概率的那条损失曲线停在虚线（1.461）之上，永远到不了下面；右图：它的测试准确率也落在后面。
# 多做一次 softmax，把本来可以很大的 logits 压进了 [0, 1]，梯度随之变小（训练开始时小了约 10 倍，见上面打印的梯度范数），模型学得更慢。
# 最后和 scikit-learn 的 `LogisticRegression`（同一个划分）对照一下：

# %% [markdown] tags=["en"]
# Left: the loss computed on probabilities stays above the dotted line (1.461) and can never get below it.
# Right: its test accuracy lags behind too. The extra softmax squeezes logits that could be large into
# [0, 1], the gradients shrink with them (at the start about 10 times, as the printed gradient norms
# show), and the model learns more slowly. Finally, a comparison with
# scikit-learn's `LogisticRegression` on the same split:

# %%
oracle_acc = LogisticRegression(max_iter=1000).fit(X_train_np, y_train_np).score(X_test_np, y_test_np)
print(f"concise, loss on logits:        test acc {hist_logits[-1]['test']:.3f}, final loss {hist_logits[-1]['loss']:.3f}")
print(f"concise, loss on probabilities: test acc {hist_probs[-1]['test']:.3f}, final loss {hist_probs[-1]['loss']:.3f}")
print(f"sklearn LogisticRegression:     test acc {oracle_acc:.3f}")
assert hist_probs[-1]["loss"] > floor > 0.2 > hist_logits[-1]["loss"]
assert hist_logits[-1]["test"] > hist_probs[-1]["test"]
assert abs(hist_logits[-1]["test"] - oracle_acc) <= 0.03
