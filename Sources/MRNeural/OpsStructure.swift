import COpenBLAS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Reductions, shape primitives, matrix products, concatenation, slicing and gathering.

extension Tensor {
    // MARK: Reductions

    /// Sum along `axis` as a value (untracked).
    func sumAxisValue(_ axis: Int, keep: Bool) -> Tensor {
        precondition(axis >= 0 && axis < rank, "sum along axis \(axis) of a rank-\(rank) tensor")
        let outer = Tensor.elementCount(Array(shape[..<axis]))
        let inner = Tensor.elementCount(Array(shape[(axis + 1)...]))
        var outShape = shape
        if keep { outShape[axis] = 1 } else { outShape.remove(at: axis) }
        var out = Tensor(uninitialized: outShape, dtype: dtype)
        switch dtype {
        case .float32: sumAxisKernel(storage.floats, out.storage.floats, outer: outer, n: shape[axis], inner: inner)
        case .float64: sumAxisKernel(storage.doubles, out.storage.doubles, outer: outer, n: shape[axis], inner: inner)
        }
        out.node = nil
        return out
    }

    /// The sum of all elements, a rank-0 tensor. Derivative: g broadcast to the input's shape.
    public func sum() -> Tensor {
        var v = Tensor(uninitialized: [], dtype: dtype)
        switch dtype {
        case .float32: sumAxisKernel(storage.floats, v.storage.floats, outer: 1, n: count, inner: 1)
        case .float64: sumAxisKernel(storage.doubles, v.storage.doubles, outer: 1, n: count, inner: 1)
        }
        v.node = nil
        let s = shape
        return Tensor.record(v, [self]) { c in [c.grad.broadcast(to: s)] }
    }

    /// Sum along `axis` (removed, or kept with extent 1). Derivative: g broadcast back along `axis`.
    public func sum(alongAxis axis: Int, keepingDimension keep: Bool = false) -> Tensor {
        let a = axis < 0 ? axis + rank : axis
        let v = sumAxisValue(a, keep: keep)
        let s = shape
        var ks = shape; ks[a] = 1
        let kshape = ks
        return Tensor.record(v, [self]) { c in [c.grad.reshaped(to: kshape).broadcast(to: s)] }
    }

    /// The tensor summed down to `target`, a shape that broadcasts to this one (the adjoint of
    /// broadcasting). Derivative: g broadcast back.
    public func sum(toShape target: [Int]) -> Tensor {
        if target == shape { return self }
        precondition(target.count <= rank, "sum(toShape:): \(shape) cannot reduce to \(target)")
        let padded = [Int](repeating: 1, count: rank - target.count) + target
        var v = self.detached
        for d in 0..<rank where padded[d] != shape[d] {
            precondition(padded[d] == 1, "sum(toShape:): \(shape) cannot reduce to \(target)")
            v = v.sumAxisValue(d, keep: true)
        }
        v = Tensor(shape: target, storage: v.storage)
        let s = shape
        return Tensor.record(v, [self]) { c in [c.grad.broadcast(to: s)] }
    }

    /// The tensor repeated along broadcast axes to `target` (NumPy rules). Derivative: g summed back.
    public func broadcast(to target: [Int]) -> Tensor {
        if target == shape { return self }
        precondition(Tensor.broadcastShape(shape, target) == target, "broadcast(to:): \(shape) does not broadcast to \(target)")
        var out = Tensor(uninitialized: target, dtype: dtype)
        let st = Tensor.broadcastStrides(shape, to: target)
        let zero = [Int](repeating: 0, count: target.count)
        switch dtype {
        case .float32: stridedBinary(storage.floats, st, storage.floats, zero, out.storage.floats, target) { a, _ in a }
        case .float64: stridedBinary(storage.doubles, st, storage.doubles, zero, out.storage.doubles, target) { a, _ in a }
        }
        out.node = nil
        let s = shape
        return Tensor.record(out, [self]) { c in [c.grad.sum(toShape: s)] }
    }

    // MARK: Shape

    /// The same elements with another shape of equal element count (no copy). Derivative: g reshaped back.
    public func reshaped(to newShape: [Int]) -> Tensor {
        var target = newShape
        if let k = newShape.firstIndex(of: -1) {
            let rest = newShape.enumerated().reduce(1) { $1.offset == k ? $0 : $0 * $1.element }
            target[k] = rest == 0 ? 0 : count / rest
        }
        precondition(Tensor.elementCount(target) == count, "reshaped(to:): \(shape) to \(newShape)")
        if target == shape { return self }
        let v = Tensor(shape: target, storage: storage)
        let s = shape
        return Tensor.record(v, [self]) { c in [c.grad.reshaped(to: s)] }
    }

    /// The transpose of a matrix. Derivative: gᵀ.
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed() of a rank-\(rank) tensor")
        let m = shape[0], n = shape[1]
        var out = Tensor(uninitialized: [n, m], dtype: dtype)
        func t<S: NeuralScalar>(_ x: UnsafeMutablePointer<S>, _ y: UnsafeMutablePointer<S>) {
            let bs = 32
            for i0 in stride(from: 0, to: m, by: bs) {
                for j0 in stride(from: 0, to: n, by: bs) {
                    for i in i0..<Swift.min(i0 + bs, m) { for j in j0..<Swift.min(j0 + bs, n) { y[j * m + i] = x[i * n + j] } }
                }
            }
        }
        switch dtype {
        case .float32: t(storage.floats, out.storage.floats)
        case .float64: t(storage.doubles, out.storage.doubles)
        }
        out.node = nil
        return Tensor.record(out, [self]) { c in [c.grad.transposed()] }
    }

    /// The same values as `dtype`. Derivative: g converted back.
    public func converted(to newType: DType) -> Tensor {
        if newType == dtype { return self }
        let v = convertedValue(to: newType)
        let old = dtype
        return Tensor.record(v, [self]) { c in [c.grad.converted(to: old)] }
    }
}

// MARK: - Matrix products

/// C = α·op(A)·op(B) + β·C through BLAS (row-major).
func gemm(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Double,
          _ a: TensorStorage, _ lda: Int, _ b: TensorStorage, _ ldb: Int, _ beta: Double, _ c: TensorStorage, _ ldc: Int) {
    let tA = ta ? CblasTrans : CblasNoTrans, tB = tb ? CblasTrans : CblasNoTrans
    switch c.dtype {
    case .float32:
        cblas_sgemm(CblasRowMajor, tA, tB, Int32(m), Int32(n), Int32(k), Float(alpha), a.floats, Int32(lda),
                    b.floats, Int32(ldb), Float(beta), c.floats, Int32(ldc))
    case .float64:
        cblas_dgemm(CblasRowMajor, tA, tB, Int32(m), Int32(n), Int32(k), alpha, a.doubles, Int32(lda),
                    b.doubles, Int32(ldb), beta, c.doubles, Int32(ldc))
    }
}

/// The matrix product op(a)·op(b), where op transposes when asked (BLAS gemm).
///
/// Derivative (for C = op(A)·op(B)): ∂/∂op(A) = G·op(B)ᵀ and ∂/∂op(B) = op(A)ᵀ·G, each expressed
/// as one more `matmul` with transpose flags, so no transpose is ever materialised.
public func matmul(_ a: Tensor, _ b: Tensor, transposeA ta: Bool = false, transposeB tb: Bool = false) -> Tensor {
    precondition(a.rank == 2 && b.rank == 2, "matmul of shapes \(a.shape) and \(b.shape)")
    precondition(a.dtype == b.dtype, "matmul of \(a.dtype) and \(b.dtype)")
    let m = ta ? a.shape[1] : a.shape[0], k = ta ? a.shape[0] : a.shape[1]
    let k2 = tb ? b.shape[1] : b.shape[0], n = tb ? b.shape[0] : b.shape[1]
    precondition(k == k2, "matmul: inner dimensions differ, \(a.shape)\(ta ? "ᵀ" : "") · \(b.shape)\(tb ? "ᵀ" : "")")
    var out = Tensor(uninitialized: [m, n], dtype: a.dtype)
    if k == 0 { out = Tensor.zeros([m, n], dtype: a.dtype) }
    else if m > 0 && n > 0 { gemm(ta, tb, m, n, k, 1, a.storage, a.shape[1], b.storage, b.shape[1], 0, out.storage, n) }
    out.node = nil
    return Tensor.record(out, [a, b], saving: [a, b]) { c in
        let g = c.grad, A = c.saved[0], B = c.saved[1]
        var ga: Tensor? = nil, gb: Tensor? = nil
        if c.needs[0] {
            switch (ta, tb) {
            case (false, false): ga = matmul(g, B, transposeB: true)
            case (false, true): ga = matmul(g, B)
            case (true, false): ga = matmul(B, g, transposeB: true)
            case (true, true): ga = matmul(B, g, transposeA: true, transposeB: true)
            }
        }
        if c.needs[1] {
            switch (ta, tb) {
            case (false, false): gb = matmul(A, g, transposeA: true)
            case (true, false): gb = matmul(A, g)
            case (false, true): gb = matmul(g, A, transposeA: true)
            case (true, true): gb = matmul(g, A, transposeA: true, transposeB: true)
            }
        }
        return [ga, gb]
    }
}

/// The affine map x·W + b of a batch of rows: x is [n, in], W is [in, out], b is [out].
///
/// One primitive (bias written into the output, then gemm with β = 1). Derivative:
/// ∂x = G·Wᵀ, ∂W = xᵀ·G, ∂b = Σ_rows G.
public func affine(_ x: Tensor, _ w: Tensor, _ b: Tensor) -> Tensor {
    precondition(x.rank == 2 && w.rank == 2 && b.rank == 1, "affine of shapes \(x.shape), \(w.shape), \(b.shape)")
    precondition(x.shape[1] == w.shape[0] && b.shape[0] == w.shape[1], "affine: \(x.shape) · \(w.shape) + \(b.shape)")
    precondition(x.dtype == w.dtype && w.dtype == b.dtype, "affine: mixed dtypes")
    let n = x.shape[0], k = x.shape[1], m = w.shape[1]
    var out = Tensor(uninitialized: [n, m], dtype: x.dtype)
    let bytes = m * x.dtype.byteSize
    for r in 0..<n { memcpy(out.storage.base + r * bytes, b.storage.base, bytes) }
    if k > 0 && n > 0 && m > 0 { gemm(false, false, n, m, k, 1, x.storage, k, w.storage, m, 1, out.storage, m) }
    out.node = nil
    return Tensor.record(out, [x, w, b], saving: [x, w]) { c in
        [c.needs[0] ? matmul(c.grad, c.saved[1], transposeB: true) : nil,
         c.needs[1] ? matmul(c.saved[0], c.grad, transposeA: true) : nil,
         c.needs[2] ? c.grad.sum(alongAxis: 0) : nil]
    }
}

// MARK: - Concatenation, slicing, gathering

/// Row-major blocks of a shape around `axis`: (outer count, extent of axis, inner element count).
func blocks(_ shape: [Int], _ axis: Int) -> (outer: Int, n: Int, inner: Int) {
    (Tensor.elementCount(Array(shape[..<axis])), shape[axis], Tensor.elementCount(Array(shape[(axis + 1)...])))
}

/// The tensors joined along `axis` (all other extents equal). Derivative: the matching slices of g.
public func concat(_ xs: [Tensor], alongAxis axis: Int) -> Tensor {
    precondition(!xs.isEmpty, "concat of no tensors")
    let r = xs[0].rank
    let ax = axis < 0 ? axis + r : axis
    precondition(ax >= 0 && ax < r, "concat along axis \(axis) of rank-\(r) tensors")
    var outShape = xs[0].shape
    outShape[ax] = 0
    for x in xs {
        precondition(x.rank == r && x.dtype == xs[0].dtype, "concat: mismatched tensors")
        for d in 0..<r where d != ax { precondition(x.shape[d] == xs[0].shape[d], "concat: shapes \(xs.map { $0.shape }) along \(ax)") }
        outShape[ax] += x.shape[ax]
    }
    var out = Tensor(uninitialized: outShape, dtype: xs[0].dtype)
    let es = out.dtype.byteSize
    let (outer, total, inner) = blocks(outShape, ax)
    var offset = 0
    for x in xs {
        let w = x.shape[ax] * inner * es
        if w > 0 {
            for o in 0..<outer { memcpy(out.storage.base + (o * total * inner) * es + offset * inner * es, x.storage.base + o * w, w) }
        }
        offset += x.shape[ax]
    }
    out.node = nil
    let extents = xs.map { $0.shape[ax] }
    return Tensor.record(out, xs) { c in
        var start = 0
        var gs: [Tensor?] = []
        for (i, e) in extents.enumerated() {
            gs.append(c.needs[i] ? c.grad.slice(alongAxis: ax, start ..< start + e) : nil)
            start += e
        }
        return gs
    }
}

extension Tensor {
    func sliceValue(_ axis: Int, _ range: Range<Int>) -> Tensor {
        var outShape = shape
        outShape[axis] = range.count
        var out = Tensor(uninitialized: outShape, dtype: dtype)
        let es = dtype.byteSize
        let (outer, n, inner) = blocks(shape, axis)
        let w = range.count * inner * es
        if w > 0 {
            for o in 0..<outer { memcpy(out.storage.base + o * w, storage.base + (o * n + range.lowerBound) * inner * es, w) }
        }
        out.node = nil
        return out
    }

    /// Elements `range` along `axis` (a copy). Derivative: g placed into zeros of the input's shape.
    public func slice(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        let ax = axis < 0 ? axis + rank : axis
        precondition(ax >= 0 && ax < rank && range.lowerBound >= 0 && range.upperBound <= shape[ax],
                     "slice \(range) along axis \(axis) of shape \(shape)")
        if range.count == shape[ax] { return self }
        var v = sliceValue(ax, range)
        guard let n = node else { return v }
        let s = shape
        v.node = Node(parents: [n], saved: [], output: nil, shape: v.shape,
                      rule: { c in [c.grad.embedded(alongAxis: ax, at: range.lowerBound, in: s)] },
                      slice: (ax, range.lowerBound))
        return v
    }

    /// self[..., start ..< start + block.extent, ...] += block along `axis`, in place (untracked).
    mutating func addBlock(_ block: Tensor, alongAxis axis: Int, at start: Int) {
        precondition(block.dtype == dtype && block.rank == rank, "addBlock: \(block.shape) into \(shape)")
        makeUnique()
        let (outer, n, inner) = blocks(shape, axis)
        let w = block.shape[axis] * inner
        func run<S: NeuralScalar>(_ dst: UnsafeMutablePointer<S>, _ src: UnsafeMutablePointer<S>) {
            for o in 0..<outer { addInPlaceKernel(dst + (o * n + start) * inner, src + o * w, w) }
        }
        switch dtype {
        case .float32: run(storage.floats, block.storage.floats)
        case .float64: run(storage.doubles, block.storage.doubles)
        }
    }

    /// This tensor placed at offset `start` along `axis` in zeros of `fullShape` (the adjoint of
    /// `slice`). Derivative: the slice of g.
    public func embedded(alongAxis axis: Int, at start: Int, in fullShape: [Int]) -> Tensor {
        precondition(fullShape.count == rank && start >= 0 && start + shape[axis] <= fullShape[axis],
                     "embedded: \(shape) at \(start) along \(axis) in \(fullShape)")
        var out = Tensor.zeros(fullShape, dtype: dtype)
        let es = dtype.byteSize
        let (outer, n, inner) = blocks(fullShape, axis)
        let w = shape[axis] * inner * es
        if w > 0 {
            for o in 0..<outer { memcpy(out.storage.base + (o * n + start) * inner * es, storage.base + o * w, w) }
        }
        out.node = nil
        let len = shape[axis]
        return Tensor.record(out, [self]) { c in [c.grad.slice(alongAxis: axis, start ..< start + len)] }
    }

    /// Entries `indices` along `axis` (repeats allowed), PyTorch's `index_select`.
    /// Derivative: g scatter-added back to the selected positions.
    public func gathering(_ indices: [Int], alongAxis axis: Int) -> Tensor {
        let ax = axis < 0 ? axis + rank : axis
        precondition(ax >= 0 && ax < rank, "gathering along axis \(axis) of shape \(shape)")
        var outShape = shape
        outShape[ax] = indices.count
        var out = Tensor(uninitialized: outShape, dtype: dtype)
        let es = dtype.byteSize
        let (outer, n, inner) = blocks(shape, ax)
        let w = inner * es
        for i in indices { precondition(i >= 0 && i < n, "gathering: index \(i) out of range 0..<\(n)") }
        for o in 0..<outer {
            for (k, i) in indices.enumerated() {
                memcpy(out.storage.base + (o * indices.count + k) * w, storage.base + (o * n + i) * w, w)
            }
        }
        out.node = nil
        return Tensor.record(out, [self]) { c in [c.grad.scatterAdding(indices, alongAxis: ax, extent: n)] }
    }

    /// Zeros with `extent` entries along `axis`, to which entry k of this tensor is added at
    /// position `indices[k]` (the adjoint of `gathering`). Derivative: g gathered at `indices`.
    public func scatterAdding(_ indices: [Int], alongAxis axis: Int, extent: Int) -> Tensor {
        precondition(indices.count == shape[axis], "scatterAdding: \(indices.count) indices for extent \(shape[axis])")
        var outShape = shape
        outShape[axis] = extent
        var out = Tensor.zeros(outShape, dtype: dtype)
        let (outer, _, inner) = blocks(shape, axis)
        func run<S: NeuralScalar>(_ src: UnsafeMutablePointer<S>, _ dst: UnsafeMutablePointer<S>) {
            for o in 0..<outer {
                for (k, i) in indices.enumerated() {
                    precondition(i >= 0 && i < extent, "scatterAdding: index \(i) out of range 0..<\(extent)")
                    let s = src + (o * indices.count + k) * inner, d = dst + (o * extent + i) * inner
                    for j in 0..<inner { d[j] += s[j] }
                }
            }
        }
        switch dtype {
        case .float32: run(storage.floats, out.storage.floats)
        case .float64: run(storage.doubles, out.storage.doubles)
        }
        out.node = nil
        return Tensor.record(out, [self]) { c in [c.grad.gathering(indices, alongAxis: axis)] }
    }
}
