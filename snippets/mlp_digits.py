# %% [markdown] tags=["zh"]
# # 多层感知机（手写数字）：从零实现、简洁实现与参数个数
#
# 读完这个程序，你能从零和用 `nn.Sequential` 各写出一个多层感知机，从形状算出它的参数个数，并说清它比 softmax 回归多了什么。
# 在 softmax 回归的输入和输出之间加一个隐藏层（256 个隐藏单元，ReLU 激活），就得到一个多层感知机。
# 程序先从零实现它，再用 `nn.Sequential` 简洁实现，最后与 softmax 回归放在同一个划分上比较。
#
# 从输出里可以看到：
#
# 1. 参数个数可以直接从形状算出来：$64 \times 256 + 256 + 256 \times 10 + 10 = 19{,}210$，
#    其中权重矩阵的元素 $64 \times 256 + 256 \times 10 = 18{,}944$ 个——[测验第 7 题](../quiz-mlp.md#q7)用的就是这个算法；
# 2. 两层之间是**矩阵乘法**再套激活函数，不是“加法关系”；去掉激活函数，两层会合并成一层线性变换；
# 3. 两种实现的多层感知机，测试准确率都高于 softmax 回归。
#
# 数据与 softmax 回归的程序相同：scikit-learn 自带的 8×8 手写数字，1,347 张训练、450 张测试。
# 书里用的是 Fashion-MNIST（784-256-10 的网络，5 个迭代周期后测试准确率约 0.85）。

# %% [markdown] tags=["en"]
# # Multilayer perceptron (handwritten digits): from scratch, concise, and its parameter count
#
# After this program you can write a multilayer perceptron from scratch and with `nn.Sequential`,
# count its parameters from the shapes, and say what it adds to softmax regression.
# Put a hidden layer (256 hidden units, ReLU activation) between the inputs and outputs of softmax
# regression and you have a multilayer perceptron. The program implements it from scratch, then
# concisely with `nn.Sequential`, and compares both with softmax regression on the same split.
#
# In the output you should see:
#
# 1. the parameter count follows from the shapes: $64 \times 256 + 256 + 256 \times 10 + 10 = 19{,}210$,
#    of which $64 \times 256 + 256 \times 10 = 18{,}944$ are weight-matrix elements — the count that
#    [quiz question 7](../quiz-mlp.md#q7) asks for;
# 2. the layers are joined by **matrix multiplication** with an activation in between, not "by
#    addition"; without the activation the two layers collapse into one linear map;
# 3. both MLPs reach a higher test accuracy than softmax regression.
#
# The data are those of the softmax programs: scikit-learn's 8×8 handwritten digits, 1,347 for
# training, 450 for testing. The books use Fashion-MNIST (a 784-256-10 network, test accuracy about
# 0.85 after 5 epochs).

# %%
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
print("train:", tuple(X_train.shape), "test:", tuple(X_test.shape), "device:", device)

# %% [markdown] tags=["zh"]
# ## 从零实现 {#from-scratch}
#
# 两个权重矩阵：`W1` 连接输入层和隐藏层，形状 (64, 256)；`W2` 连接隐藏层和输出层，形状 (256, 10)。
# 每个隐藏单元、每个输出单元各有一个偏置。书里用 $N(0, 0.01^2)$ 初始化权重；这里只有 64 个输入，
# 标准差 0.01 让隐藏层的输出很小，开头几个迭代周期学得慢：前 3 个迭代周期的测试准确率是 0.40、0.58、0.72，
# 而标准差 0.1 是 0.69、0.90、0.92。它并不是学不动：60 个迭代周期之后，两者都在 0.98 左右。所以这里用 0.1。
# 训练之后的下一段代码用同样的数据和随机种子把两种初始化各训练一遍，验证这些数字。

# %% [markdown] tags=["en"]
# ## From scratch {#from-scratch}
#
# Two weight matrices: `W1` joins the input and hidden layers, shape (64, 256); `W2` joins the hidden
# and output layers, shape (256, 10). Each hidden unit and each output unit has one bias. The books
# initialise the weights from $N(0, 0.01^2)$; with only 64 inputs, a standard deviation of 0.01 makes
# the hidden outputs small and the first epochs slow: test accuracy 0.40, 0.58 and 0.72 in the first
# 3 epochs, against 0.69, 0.90 and 0.92 with a standard deviation of 0.1. It does learn: after 60
# epochs both are at about 0.98. So we use 0.1. A cell after training trains both initialisations
# on the same data with the same seeds and checks these numbers.

# %%
num_inputs, num_hiddens, num_outputs = 8 * 8, 256, 10
torch.manual_seed(0)
W1 = torch.normal(0, 0.1, (num_inputs, num_hiddens)).to(device).requires_grad_()
b1 = torch.zeros(num_hiddens, device=device, requires_grad=True)
W2 = torch.normal(0, 0.1, (num_hiddens, num_outputs)).to(device).requires_grad_()
b2 = torch.zeros(num_outputs, device=device, requires_grad=True)
params = [W1, b1, W2, b2]


def relu(X):
    return torch.max(X, torch.zeros_like(X))


def net(X):
    X = X.view(X.shape[0], -1)  # (batch, 1, 8, 8) -> (batch, 64)
    H = relu(X @ W1 + b1)  # hidden layer: (batch, 256)
    return H @ W2 + b2  # output layer: logits, (batch, 10)


count_from_shapes = num_inputs * num_hiddens + num_hiddens + num_hiddens * num_outputs + num_outputs
weights_only = num_inputs * num_hiddens + num_hiddens * num_outputs
print("shapes:", [tuple(p.shape) for p in params])
print("parameters:", sum(p.numel() for p in params), "=", count_from_shapes, "; weight-matrix elements:", weights_only)
assert sum(p.numel() for p in params) == count_from_shapes == 19_210
assert W1.numel() + W2.numel() == weights_only == 18_944
assert net(X_train[:5]).shape == (5, 10)

# %% [markdown] tags=["zh"]
# 训练部分与 softmax 回归从零实现完全一样：同样的 `data_iter` 和 `sgd`（除以这一批的实际样本数），
# 损失用 `F.cross_entropy(..., reduction="sum")` 求和，所以 `sgd` 里除一次批量大小正好得到平均梯度。
# 超参数换了：学习率 η = 0.5，批量大小 |B| = 128，60 个迭代周期。批量大一些，每一步用的平均梯度的噪声就小一些；
# 即使这样，测试准确率在相邻迭代周期之间仍时有 1 到 3 个百分点的回落（例如从零实现的第 8、28 个迭代周期，
# 简洁实现的第 51 个迭代周期，页末的检查会核对）。1,347 个样本按 128 个一批，每个迭代周期只有 11 步，
# 所以要多跑几个迭代周期。输出每 10 个迭代周期打印一次。

# %% [markdown] tags=["en"]
# Training is exactly as in softmax regression from scratch: the same `data_iter` and `sgd` (dividing
# by the actual number of examples in the batch). The loss `F.cross_entropy(..., reduction="sum")` is
# a sum, so dividing once by the batch size in `sgd` gives the mean gradient. The hyperparameters
# differ: learning rate η = 0.5, batch size |B| = 128, 60 epochs. A larger batch gives a less noisy
# averaged gradient per step; even so, the test accuracy still now and then falls by 1 to 3 points from
# one epoch to the next (for instance in epochs 8 and 28 from scratch, and epoch 51 in the concise
# version; the checks at the end confirm it). 1,347 examples in batches of 128 make only 11
# steps per epoch, hence more epochs. The log is printed every 10 epochs.

# %%
def data_iter(batch_size, features, labels):
    indices = torch.randperm(len(features))
    for i in range(0, len(features), batch_size):
        j = indices[i : i + batch_size].to(features.device)
        yield features.index_select(0, j), labels.index_select(0, j)


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def test_accuracy(model):
    with torch.no_grad():
        return (model(X_test).argmax(dim=1) == y_test).float().mean().item()


lr, batch_size, num_epochs = 0.5, 128, 60
torch.manual_seed(1)
test_scratch = []
for epoch in range(num_epochs):
    loss_sum, correct_sum, n = 0.0, 0, 0
    for X, y in data_iter(batch_size, X_train, y_train):
        O = net(X)
        l = F.cross_entropy(O, y, reduction="sum")
        l.backward()
        sgd(params, lr, len(y))
        loss_sum += l.item()
        correct_sum += (O.argmax(dim=1) == y).sum().item()
        n += len(y)
    test_scratch.append(test_accuracy(net))
    if epoch == 0 or (epoch + 1) % 10 == 0:
        print(f"epoch {epoch + 1:2d}, loss {loss_sum / n:.4f}, train acc {correct_sum / n:.3f}, test acc {test_scratch[-1]:.3f}")


# %%
# The initialisation: N(0, 0.01^2) as in the books, or N(0, 0.1^2) as above; the same seeds and batches.
def test_accuracies(std, num_epochs):
    torch.manual_seed(0)
    W1 = torch.normal(0, std, (num_inputs, num_hiddens)).to(device).requires_grad_()
    b1 = torch.zeros(num_hiddens, device=device, requires_grad=True)
    W2 = torch.normal(0, std, (num_hiddens, num_outputs)).to(device).requires_grad_()
    b2 = torch.zeros(num_outputs, device=device, requires_grad=True)
    model = lambda X: relu(X.view(X.shape[0], -1) @ W1 + b1) @ W2 + b2
    torch.manual_seed(1)
    result = []
    for epoch in range(num_epochs):
        for X, y in data_iter(batch_size, X_train, y_train):
            F.cross_entropy(model(X), y, reduction="sum").backward()
            sgd([W1, b1, W2, b2], lr, len(y))
        result.append(test_accuracy(model))
    return result


small, large = test_accuracies(0.01, num_epochs), test_accuracies(0.1, num_epochs)
print("std 0.01, test acc in epochs 1-3:", [round(a, 2) for a in small[:3]], "epoch 60:", round(small[-1], 3))
print("std 0.1,  test acc in epochs 1-3:", [round(a, 2) for a in large[:3]], "epoch 60:", round(large[-1], 3))
assert max(abs(a - b) for a, b in zip(large, test_scratch)) < 0.005  # the same run as the training above
assert max(abs(a - b) for a, b in zip(small[:3], [0.40, 0.58, 0.72])) < 0.01  # slow at first ...
assert max(abs(a - b) for a, b in zip(large[:3], [0.69, 0.90, 0.92])) < 0.01
assert abs(small[-1] - 0.98) < 0.01 and abs(large[-1] - 0.98) < 0.01  # ... but it learns: both end near 0.98

# %% [markdown] tags=["zh"]
# ## 两层之间是乘法，不是加法 {#layers-multiply}
#
# 笔记里说两个权重矩阵之间是“加法关系”。其实数据是一层一层**乘**过去的：
# $H = \phi(XW_1 + b_1)$，$O = HW_2 + b_2$。如果去掉激活函数 $\phi$，
# $O = (XW_1 + b_1)W_2 + b_2 = X(W_1W_2) + (b_1W_2 + b_2)$，两层就合并成一个 64×10 的线性层，
# 和 softmax 回归没有区别——这正是测验第 6 题选项 A 说的事。能相加的只有**参数个数**。
# 下面用刚训练好的参数验证这个恒等式。

# %% [markdown] tags=["en"]
# ## The layers multiply; they do not add {#layers-multiply}
#
# The note says the two weight matrices are "related by addition". In fact the data are
# **multiplied** through one layer after the other: $H = \phi(XW_1 + b_1)$, $O = HW_2 + b_2$.
# Remove the activation $\phi$ and $O = (XW_1 + b_1)W_2 + b_2 = X(W_1W_2) + (b_1W_2 + b_2)$: the two
# layers merge into one 64×10 linear layer, no better than softmax regression — which is what option
# A of quiz question 6 says. Only the **parameter counts** add. The check below uses the parameters we
# just trained.

# %%
with torch.no_grad():
    X_flat = X_test.view(X_test.shape[0], -1)
    two_linear_layers = (X_flat @ W1 + b1) @ W2 + b2
    one_linear_layer = X_flat @ (W1 @ W2) + (b1 @ W2 + b2)
    print("merged weight:", tuple((W1 @ W2).shape), "max difference:", (two_linear_layers - one_linear_layer).abs().max().item())
    assert torch.allclose(two_linear_layers, one_linear_layer, atol=1e-4)
    assert not torch.allclose(net(X_test), two_linear_layers, atol=1e-2)  # with ReLU it is not linear

# %% [markdown] tags=["zh"]
# ## 简洁实现，以及和 softmax 回归的比较 {#concise}
#
# `nn.Sequential` 把展平、两个全连接层和 ReLU 串起来。`nn.Linear` 按 (输出, 输入) 存权重，
# 所以两个权重的形状是 (256, 64) 和 (10, 256)，元素个数不变。为了公平，softmax 回归
# （`nn.Linear(64, 10)`）用同一个训练函数、同样的学习率、批量大小和迭代周期数。
# `nn.CrossEntropyLoss` 已经对批量取平均，`optimizer.step()` 不再除以批量大小。

# %% [markdown] tags=["en"]
# ## Concise, and compared with softmax regression {#concise}
#
# `nn.Sequential` chains the flattening, two fully connected layers and the ReLU. `nn.Linear` stores
# its weight as (outputs, inputs), so the weights have shapes (256, 64) and (10, 256), with the same
# numbers of elements. To be fair, softmax regression (`nn.Linear(64, 10)`) is trained by the same
# function with the same learning rate, batch size and number of epochs. `nn.CrossEntropyLoss`
# already averages over the batch, so `optimizer.step()` does not divide by the batch size again.

# %%
train_iter = DataLoader(TensorDataset(X_train, y_train), batch_size=batch_size, shuffle=True)


def init_normal(model, std):
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, mean=0, std=std)
            nn.init.zeros_(layer.bias)


def train_concise(model, num_epochs, lr):
    loss = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    accs = []
    for epoch in range(num_epochs):
        for X, y in train_iter:
            l = loss(model(X), y)
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
        accs.append(test_accuracy(model))
    return accs


torch.manual_seed(0)
mlp = nn.Sequential(nn.Flatten(), nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10)).to(device)
init_normal(mlp, std=0.1)
softmax_regression = nn.Sequential(nn.Flatten(), nn.Linear(64, 10)).to(device)
init_normal(softmax_regression, std=0.01)

print(mlp)
print("weights:", [tuple(p.shape) for name, p in mlp.named_parameters() if name.endswith("weight")])
assert sum(p.numel() for p in mlp.parameters()) == 19_210
assert sum(p.numel() for name, p in mlp.named_parameters() if name.endswith("weight")) == 18_944

torch.manual_seed(1)
test_concise = train_concise(mlp, num_epochs, lr)
torch.manual_seed(1)
test_softmax = train_concise(softmax_regression, num_epochs, lr)
oracle_acc = LogisticRegression(max_iter=1000).fit(X_train_np, y_train_np).score(X_test_np, y_test_np)

print(f"MLP from scratch (64-256-10): test acc {test_scratch[-1]:.3f}")
print(f"MLP concise      (64-256-10): test acc {test_concise[-1]:.3f}")
print(f"softmax regression (64-10):   test acc {test_softmax[-1]:.3f}")
print(f"sklearn LogisticRegression:   test acc {oracle_acc:.3f}")

# %%
epochs = range(1, num_epochs + 1)
fig, ax = plt.subplots(figsize=(6, 3.5), dpi=90)
ax.plot(epochs, test_scratch, "-", label="MLP 64-256-10, from scratch")
ax.plot(epochs, test_concise, "--", label="MLP 64-256-10, nn.Sequential")
ax.plot(epochs, test_softmax, "-.", label="softmax regression 64-10")
ax.axhline(oracle_acc, color="gray", linestyle=":", label="sklearn LogisticRegression")
ax.set_xlabel("epoch")
ax.set_ylabel("test accuracy")
ax.set_ylim(0.9, 0.99)
ax.set_title("digits 8×8, η = 0.5, |B| = 128")
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
plt.show()

# %% [markdown] tags=["zh"]
# 图里（纵轴从 0.9 开始）两条多层感知机的曲线很快就升到 softmax 回归之上，最后高出一个多百分点。
# 隐藏层加上 ReLU，让模型不再只是像素的加权和，能表示像素之间的组合。
# 不过，8×8 的数字本来就容易分，softmax 回归已经有 0.95 以上，留给多层感知机的空间不大；
# 在更难的 Fashion-MNIST 上，书里的差距同样只有两三个百分点（约 0.82 对 0.85）。

# %% [markdown] tags=["en"]
# In the plot (the vertical axis starts at 0.9) both MLP curves soon rise above softmax regression and
# end more than a point higher. A hidden
# layer with ReLU makes the model more than a weighted sum of pixels: it can represent combinations
# of pixels. Still, 8×8 digits are easy, softmax regression already exceeds 0.95, and that leaves
# little room; on the harder Fashion-MNIST the books' gap is also only a few points (about 0.82
# against 0.85).

# %%
assert test_scratch[-1] > test_softmax[-1] + 0.01
assert test_concise[-1] > test_softmax[-1] + 0.01
assert test_softmax[-1] > 0.94 and min(test_scratch[-1], test_concise[-1]) > 0.97
assert abs(test_softmax[-1] - 0.96) < 0.006 and all(abs(a[-1] - 0.98) < 0.006 for a in (test_scratch, test_concise))  # the quiz's table: about 0.96 and 0.98
def drop(accs, epoch):  # how far the test accuracy fell from the epoch before
    return accs[epoch - 2] - accs[epoch - 1]


assert min(drop(test_scratch, 8), drop(test_scratch, 28), drop(test_concise, 51)) > 0.01  # dips of more than 1 point
assert max(drop(a, e) for a in (test_scratch, test_concise) for e in range(2, num_epochs + 1)) < 0.035  # at most about 3
print(f"MLP beats softmax regression by {(min(test_scratch[-1], test_concise[-1]) - test_softmax[-1]) * 100:.1f} points or more")
