# %% [markdown] tags=["zh"]
# # softmax 回归从零实现（手写数字）
#
# 读完这个程序，你能只用张量和自动求导从零训练一个 softmax 回归模型，并用真实的运行结果回答[课后测验第 5 题](../quiz-softmax.md#q5)：
# 为什么刚开始训练时，训练准确率反而比测试准确率低。
#
# 从输出里可以看到三件事：
#
# 1. 我们自己写的、数值稳定的 softmax 和交叉熵损失，与 PyTorch 自带的函数结果一致；
# 2. 第 1 个迭代周期里，训练准确率（边训练边累计）低于测试准确率（迭代周期结束后才测）；
#    同一个训练集，等迭代周期结束后再测一遍，准确率就上去了；
# 3. 训练结束时，我们的测试准确率与 scikit-learn 的 `LogisticRegression` 相差不到 2 个百分点。
#
# **数据。** 书里用的是 Fashion-MNIST：28×28 的衣物灰度图，10 类，训练集 60,000 张、测试集 10,000 张，
# 需要先下载。这里换成 scikit-learn 自带的手写数字（`load_digits`）：1,797 张 8×8 灰度图，10 类，
# 装好 scikit-learn 就有，不用联网。图更小、样本更少、任务也更容易，所以准确率比书里
# （softmax 回归约 0.82）高得多。代码的结构与书中相同，只有一处不同：交叉熵用数值稳定的 log-sum-exp 写法，
# 而不是书里的 `-log(gather(...))`（两者的结果一致，见下面的检查）。

# %% [markdown] tags=["en"]
# # Softmax regression from scratch (handwritten digits)
#
# After this program you can train a softmax regression model from scratch, with tensors and autograd
# only, and answer [question 5 of the quiz](../quiz-softmax.md#q5) with numbers from a real run: why, early in training, the training
# accuracy is lower than the test accuracy.
#
# In the output you should see three things:
#
# 1. our numerically stable softmax and cross-entropy loss agree with PyTorch's own functions;
# 2. in epoch 1 the training accuracy (accumulated while training) is below the test accuracy
#    (measured after the epoch); measured again on the same training set after the epoch, it is
#    higher;
# 3. at the end our test accuracy is within 2 points of scikit-learn's `LogisticRegression`.
#
# **Data.** The books use Fashion-MNIST: 28×28 greyscale images of clothing, 10 classes, 60,000
# training and 10,000 test images, which must be downloaded. Here we use the handwritten digits that
# ship with scikit-learn (`load_digits`): 1,797 greyscale images of 8×8, 10 classes, available
# offline. The images are smaller, there are fewer of them and the task is easier, so the accuracy is
# much higher than in the books (about 0.82 for softmax regression). The code has the books' structure
# with one difference: the cross-entropy uses the numerically stable log-sum-exp form instead of the
# books' `-log(gather(...))` (the two agree, as checked below).

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

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
print("pixel range:", X_train.min().item(), "to", X_train.max().item())
assert X_train.shape == (1347, 1, 8, 8) and X_test.shape == (450, 1, 8, 8)

# %% [markdown] tags=["zh"]
# 每个样本的形状是 (1, 8, 8)：1 个通道、8 行、8 列，和书里 Fashion-MNIST 的 (1, 28, 28) 一样排布。
# 像素原本是 0–16 的整数，除以 16 后落在 [0, 1]。`train_test_split` 固定 `random_state=0`，
# 取 25% 作测试集（450 张），`stratify` 让训练集和测试集里各个数字的比例相同。下面是训练集的前 10 张图：

# %% [markdown] tags=["en"]
# Each example has shape (1, 8, 8): 1 channel, 8 rows, 8 columns, laid out like Fashion-MNIST's
# (1, 28, 28) in the books. Pixels were integers 0–16; divided by 16 they lie in [0, 1].
# `train_test_split` with `random_state=0` keeps 25% (450 images) for testing, and `stratify` gives
# both sets the same share of each digit. The first 10 training images:

# %%
fig, axes = plt.subplots(1, 10, figsize=(6, 0.9), dpi=90)
for ax, image, label in zip(axes, X_train[:10].cpu(), y_train[:10].cpu()):
    ax.imshow(image.view(8, 8), cmap="gray_r")
    ax.set_title(str(label.item()), fontsize=9)
    ax.axis("off")
plt.show()

# %% [markdown] tags=["zh"]
# ## softmax 与交叉熵：先求稳，再求对 {#stable-softmax}
#
# 直接按公式算 $\exp(o_j) / \sum_k \exp(o_k)$，只要某个输出 $o_j$ 超过约 88.7，float32 的 `exp`
# 就变成 `inf`，`inf / inf` 得到 `nan`。softmax 对每一行减去同一个常数，结果不变（[测验第 4 题](../quiz-softmax.md#q4)），
# 所以先减去每行的最大值：最大的指数变成 $e^0 = 1$，不会溢出。交叉熵要的是 $\log \hat y$，
# 直接在“对数空间”里算（$o_j - \max - \log\sum_k e^{o_k - \max}$），既不溢出，也不会出现 $\log 0$。
#
# 下面用一组故意很大的输出检查：朴素写法得到 `nan`，我们的写法与 `torch.softmax`、
# `F.cross_entropy` 一致。

# %% [markdown] tags=["en"]
# ## Softmax and cross-entropy: stable first, then right {#stable-softmax}
#
# Computed as written, $\exp(o_j) / \sum_k \exp(o_k)$ fails as soon as an output $o_j$ exceeds about
# 88.7: float32 `exp` gives `inf`, and `inf / inf` is `nan`. Softmax does not change when the same
# constant is subtracted from a row ([quiz question 4](../quiz-softmax.md#q4)), so we subtract each row's maximum: the largest
# exponential becomes $e^0 = 1$ and nothing overflows. Cross-entropy needs $\log \hat y$, which we
# compute directly in log space ($o_j - \max - \log\sum_k e^{o_k - \max}$): no overflow and no
# $\log 0$.
#
# The check below uses deliberately large outputs: the naive version gives `nan`, ours agrees with
# `torch.softmax` and `F.cross_entropy`.

# %%
def softmax(O):
    O = O - O.max(dim=1, keepdim=True).values  # same result (shift invariance), no overflow
    O_exp = O.exp()
    return O_exp / O_exp.sum(dim=1, keepdim=True)


def cross_entropy(O, y):
    """Per-example cross-entropy from the logits O (batch, classes) and labels y (batch,)."""
    O = O - O.max(dim=1, keepdim=True).values
    log_prob = O - O.exp().sum(dim=1, keepdim=True).log()  # log softmax
    return -log_prob.gather(1, y.view(-1, 1)).view(-1)


O_big = torch.tensor([[100.0, 101.0, 102.0], [-5.0, 0.0, 1000.0]])
y_big = torch.tensor([0, 1])
naive = O_big.exp() / O_big.exp().sum(dim=1, keepdim=True)
print("naive softmax: ", naive)
print("stable softmax:", softmax(O_big))
print("cross-entropy: ", cross_entropy(O_big, y_big))
assert torch.isnan(naive).any()
assert torch.allclose(softmax(O_big), torch.softmax(O_big, dim=1))
assert torch.allclose(cross_entropy(O_big, y_big), F.cross_entropy(O_big, y_big, reduction="none"))

O_random = torch.randn(256, 10) * 5
y_random = torch.randint(0, 10, (256,))
assert torch.allclose(cross_entropy(O_random, y_random), F.cross_entropy(O_random, y_random, reduction="none"), atol=1e-5)
books_cross_entropy = -torch.log(softmax(O_random).gather(1, y_random.view(-1, 1))).view(-1)  # the books' form
assert torch.allclose(cross_entropy(O_random, y_random), books_cross_entropy, atol=1e-4)

# %% [markdown] tags=["zh"]
# ## 模型：先展平，再做仿射变换 {#model}
#
# 笔记里 `LinearNet` 那一课在这里派上用场：`X.view(X.shape[0], -1)` 保留第 0 维（批量大小），
# 把其余的 1×8×8 合成 64，于是 (batch, 1, 8, 8) 变成 (batch, 64)。`view` 不复制数据，只换一种
# 看法。权重 `W` 的形状是 (输入个数, 输出个数) = (64, 10)，偏置 `b` 每个输出一个，共 10 个。
# 模型输出的是未归一化的 **logits**；softmax 只在算损失时用到（在 `cross_entropy` 里）。

# %% [markdown] tags=["en"]
# ## The model: flatten, then an affine map {#model}
#
# The note's `LinearNet` lesson is used here: `X.view(X.shape[0], -1)` keeps dimension 0 (the batch
# size) and merges the remaining 1×8×8 into 64, so (batch, 1, 8, 8) becomes (batch, 64). `view` copies
# nothing; it is another way of looking at the same storage. The weight `W` has shape (inputs,
# outputs) = (64, 10); the bias `b` has one entry per output, 10 in all. The model returns
# unnormalised **logits**; softmax is applied only inside the loss (in `cross_entropy`).

# %%
num_inputs, num_outputs = 8 * 8, 10
torch.manual_seed(0)
W = torch.normal(0, 0.01, (num_inputs, num_outputs)).to(device).requires_grad_()
b = torch.zeros(num_outputs, device=device, requires_grad=True)


def net(X):
    return torch.mm(X.view(X.shape[0], -1), W) + b  # (batch, 1, 8, 8) -> (batch, 64) -> (batch, 10)


print("one batch of 5:", tuple(X_train[:5].shape), "->", tuple(X_train[:5].view(5, -1).shape), "->", tuple(net(X_train[:5]).shape))
assert X_train[:5].view(5, -1).data_ptr() == X_train[:5].data_ptr()  # a view: same storage
assert net(X_train[:5]).shape == (5, 10)

# %% [markdown] tags=["zh"]
# ## 小批量随机梯度下降 {#sgd}
#
# `data_iter` 每个迭代周期打乱一次样本顺序，按批量大小切片，用 `index_select` 取出这一批。
# `sgd` 与小批量随机梯度下降那一章的完全相同：在 `torch.no_grad()` 下原地更新参数，除以**这一批
# 实际的**样本数，然后把梯度清零。1,347 个训练样本按 16 个一批分，最后一批只有 3 个样本，
# 所以要传 `len(y)`，不能传 `batch_size`。

# %% [markdown] tags=["en"]
# ## Mini-batch stochastic gradient descent {#sgd}
#
# `data_iter` shuffles the examples once per epoch, slices the order into batches and takes each
# batch with `index_select`. `sgd` is the same as in the chapter on mini-batch SGD: it updates the
# parameters in place under `torch.no_grad()`, divides by the **actual** number of examples in the
# batch, and zeroes the gradients. 1,347 training examples in batches of 16 leave a last batch of 3,
# which is why we pass `len(y)`, not `batch_size`.

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


def num_correct(O, y):
    return (O.argmax(dim=1) == y).sum().item()


def evaluate_accuracy(X, y):
    with torch.no_grad():
        return num_correct(net(X), y) / len(y)


print("batch sizes:", [len(y) for _, y in data_iter(16, X_train, y_train)][-3:], "(last three)")
print(f"test accuracy before training: {evaluate_accuracy(X_test, y_test):.3f}")

# %% [markdown] tags=["zh"]
# ## 训练 {#training}
#
# 每个迭代周期打印四个数：平均损失；**训练准确率**，即书中 `train_ch3` 的算法——每一批在参数更新
# **之前**的预测对了多少，整个迭代周期累加起来；**迭代周期结束后在训练集上重新测的准确率**；以及迭代周期结束后
# 的**测试准确率**。学习率 η = 0.3，批量大小 |B| = 16，训练 15 个迭代周期。

# %% [markdown] tags=["en"]
# ## Training {#training}
#
# Each epoch prints four numbers: the mean loss; the **training accuracy** as the books' `train_ch3`
# computes it — how many predictions of each batch were right **before** that batch's update,
# accumulated over the epoch; the **training accuracy measured again after the epoch**; and the
# **test accuracy** after the epoch. Learning rate η = 0.3, batch size |B| = 16, 15 epochs.

# %%
lr, batch_size, num_epochs = 0.3, 16, 15
torch.manual_seed(1)  # the shuffling order
history = []
for epoch in range(num_epochs):
    loss_sum, correct_sum, n = 0.0, 0, 0
    for X, y in data_iter(batch_size, X_train, y_train):
        O = net(X)
        l = cross_entropy(O, y).sum()
        l.backward()
        sgd([W, b], lr, len(y))
        loss_sum += l.item()
        correct_sum += num_correct(O, y)  # predictions made before this batch's update
        n += len(y)
    record = {
        "epoch": epoch + 1,
        "loss": loss_sum / n,
        "train_running": correct_sum / n,
        "train_after": evaluate_accuracy(X_train, y_train),
        "test": evaluate_accuracy(X_test, y_test),
    }
    history.append(record)
    print(
        f"epoch {record['epoch']:2d}, loss {record['loss']:.4f}, "
        f"train acc {record['train_running']:.3f} (after epoch {record['train_after']:.3f}), "
        f"test acc {record['test']:.3f}"
    )

# %%
epochs = [r["epoch"] for r in history]
fig, ax = plt.subplots(figsize=(6, 3.5), dpi=90)
ax.plot(epochs, [r["train_running"] for r in history], "o-", label="train acc (accumulated during epoch)")
ax.plot(epochs, [r["train_after"] for r in history], "s--", label="train acc (after epoch)")
ax.plot(epochs, [r["test"] for r in history], "^-", label="test acc (after epoch)")
ax.set_xlabel("epoch")
ax.set_ylabel("accuracy")
ax.set_title("softmax regression, digits 8×8, η = 0.3, |B| = 16")
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
plt.show()

# %% [markdown] tags=["zh"]
# ## 第 5 题的答案，用数字说话 {#q5}
#
# 看输出的第 1 行和图的最左端：训练准确率（圆点）明显低于测试准确率（三角）。原因不是过拟合
# （过拟合的表现恰恰相反：训练准确率高于测试准确率），也不是“训练集更大、更难”——同一个训练集，
# 迭代周期结束后再测一遍（方块），准确率立刻就上去了。真正的原因是：训练准确率是在这个迭代周期**里**
# 一批一批累计的，前面那些小批量用的是还没怎么训练的参数；测试准确率在迭代周期**结束后**才测，用的是
# 这个迭代周期结束时最新的参数。最新不一定最好：这次运行里，第 8 个迭代周期的测试准确率就比第 7 个低。
# 几个迭代周期以后参数变化变慢，三条线就靠在一起了。

# %% [markdown] tags=["en"]
# ## Question 5, answered with numbers {#q5}
#
# Look at line 1 of the output and the left end of the plot: the training accuracy (circles)
# is well below the test accuracy (triangles). The reason is not overfitting (which shows the
# opposite: training accuracy above test accuracy), nor that "the training set is larger and
# harder" — measured again after the epoch, on the same training set (squares), the accuracy is
# immediately higher. The reason is that the training accuracy is accumulated batch by batch
# **during** the epoch, the early batches with parameters that have hardly been trained; the test
# accuracy is measured **after** the epoch, with the latest parameters. Latest is not always best: in
# this run the test accuracy of epoch 8 is lower than that of epoch 7. After a few epochs the
# parameters change more slowly and the three curves come together.

# %%
first = history[0]
assert first["train_running"] < first["test"], "Q5: in epoch 1 train acc (accumulated) < test acc"
assert first["train_running"] < first["train_after"], "the same training set scores higher after the epoch"
assert history[7]["test"] < history[6]["test"], "latest is not always best: epoch 8 tests lower than epoch 7"
print(
    f"epoch 1: train acc during epoch {first['train_running']:.3f} < "
    f"test acc after epoch {first['test']:.3f}; train acc after epoch {first['train_after']:.3f}"
)

# %% [markdown] tags=["zh"]
# ## 独立的参照：scikit-learn 的 LogisticRegression {#oracle}
#
# softmax 回归就是多分类的逻辑回归。scikit-learn 的 `LogisticRegression` 用另一套代码
# （L-BFGS 求解、带一点 L2 正则）在**同一个划分**上求解同一个模型，正好拿来对照：如果我们的
# softmax、交叉熵或者 `sgd` 写错了，两者的测试准确率就对不上。

# %% [markdown] tags=["en"]
# ## An independent reference: scikit-learn's LogisticRegression {#oracle}
#
# Softmax regression is multinomial logistic regression. scikit-learn's `LogisticRegression` fits the
# same model with entirely different code (the L-BFGS solver, a little L2 regularisation) on the
# **same split**, which makes it a good check: had we got the softmax, the cross-entropy or `sgd`
# wrong, the two test accuracies would not agree.

# %%
oracle = LogisticRegression(max_iter=1000).fit(X_train_np, y_train_np)
oracle_acc = oracle.score(X_test_np, y_test_np)
ours = history[-1]["test"]
print(f"softmax regression from scratch, test acc: {ours:.3f}")
print(f"sklearn LogisticRegression,      test acc: {oracle_acc:.3f}")
print(f"difference: {abs(ours - oracle_acc) * 100:.1f} points")
assert abs(ours - oracle_acc) <= 0.02
assert ours > 0.95
