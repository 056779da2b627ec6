// Composite operations: built from the primitives, so they need no derivative rules of their own.

extension Tensor {
    /// Mean of all elements (rank 0): sum()·(1/count).
    public func mean() -> Tensor { sum() * (1.0 / Double(Swift.max(count, 1))) }

    /// Mean along `axis`.
    public func mean(alongAxis axis: Int, keepingDimension keep: Bool = false) -> Tensor {
        let a = axis < 0 ? axis + rank : axis
        return sum(alongAxis: a, keepingDimension: keep) * (1.0 / Double(Swift.max(shape[a], 1)))
    }

    /// Largest element along `axis` as an untracked value (used as a stabilising shift).
    func maxValue(alongAxis axis: Int, keep: Bool) -> Tensor {
        let (outer, n, inner) = blocks(shape, axis)
        var outShape = shape
        if keep { outShape[axis] = 1 } else { outShape.remove(at: axis) }
        var out = Tensor(uninitialized: outShape, dtype: dtype)
        func run<S: NeuralScalar>(_ x: UnsafeMutablePointer<S>, _ y: UnsafeMutablePointer<S>) {
            for o in 0..<outer {
                for i in 0..<inner {
                    var m = -S.infinity
                    for j in 0..<n { let v = x[(o * n + j) * inner + i]; if v > m { m = v } }
                    y[o * inner + i] = m
                }
            }
        }
        switch dtype {
        case .float32: run(storage.floats, out.storage.floats)
        case .float64: run(storage.doubles, out.storage.doubles)
        }
        out.node = nil
        return out
    }

    /// log Σ exp along `axis`, computed as m + log Σ exp(x − m) with m the (constant) maximum.
    public func logSumExp(alongAxis axis: Int, keepingDimension keep: Bool = false) -> Tensor {
        let a = axis < 0 ? axis + rank : axis
        let m = maxValue(alongAxis: a, keep: true)
        let s = (self - m).exp().sum(alongAxis: a, keepingDimension: true).log() + m
        return keep ? s : s.reshaped(to: shape.enumerated().filter { $0.offset != a }.map { $0.element })
    }

    /// log softmax along `axis`: x − logSumExp(x).
    public func logSoftmax(alongAxis axis: Int) -> Tensor { self - logSumExp(alongAxis: axis, keepingDimension: true) }

    /// softmax along `axis`.
    public func softmax(alongAxis axis: Int) -> Tensor { logSoftmax(alongAxis: axis).exp() }

    /// log σ(x) = −softplus(−x), stable for large |x|.
    public func logSigmoid() -> Tensor { -((-self).softplus()) }

    /// For a matrix [n, k], the n entries x[i, indices[i]] (one per row), via a gather of the flattened matrix.
    public func takingAlongLastAxis(_ indices: [Int]) -> Tensor {
        precondition(rank == 2 && indices.count == shape[0], "takingAlongLastAxis: \(indices.count) indices for shape \(shape)")
        let k = shape[1]
        let flat = indices.enumerated().map { i, j in
            precondition(j >= 0 && j < k, "takingAlongLastAxis: index \(j) out of range 0..<\(k)")
            return i * k + j
        }
        return reshaped(to: [count]).gathering(flat, alongAxis: 0)
    }

    /// Rows `indices` of a tensor (a minibatch), `gathering(indices, alongAxis: 0)`.
    public func rows(_ indices: [Int]) -> Tensor { gathering(indices, alongAxis: 0) }
}

/// Mean squared error mean((prediction − target)²).
public func meanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    (prediction - target).squared().mean()
}
