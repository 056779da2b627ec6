/// One recorded operation on the differentiation tape.
///
/// A node knows its inputs' nodes (`parents`), the tensors its derivative rule needs (`saved`), its
/// own value when the rule needs it, and the rule itself: a function from the gradient of the
/// node's output to the gradients of its inputs, *written with tensor operations*. Run on tracked
/// tensors (`createGraph: true`), the rule is recorded like any other computation, which is what
/// makes the backward pass differentiable again.
///
/// Nodes are immutable once built, except in `deinit`, where a uniquely referenced chain of
/// ancestors is dismantled iteratively (a long GRU unroll would otherwise free its graph by deep
/// recursion). Hence `@unchecked Sendable`.
final class Node: @unchecked Sendable {
    typealias Rule = @Sendable (BackwardContext) -> [Tensor?]

    var parents: [Node?]
    var saved: [Tensor]
    let output: TensorStorage?
    let shape: [Int]
    let rule: Rule?
    /// For a slice node: where its output sits in its input. The first-order backward pass then adds
    /// the gradient into that block of the input's gradient instead of running the rule (which
    /// builds a zero tensor of the input's full shape: quadratic over the steps of an unrolled RNN).
    let slice: (axis: Int, start: Int)?

    init(parents: [Node?], saved: [Tensor], output: TensorStorage?, shape: [Int], rule: Rule?,
         slice: (axis: Int, start: Int)? = nil) {
        self.parents = parents
        self.saved = saved
        self.output = output
        self.shape = shape
        self.rule = rule
        self.slice = slice
    }

    deinit {
        if parents.isEmpty && saved.isEmpty { return }
        var pending: [Node] = []
        Node.take(from: self, into: &pending)
        while var n = pending.popLast() {
            if isKnownUniquelyReferenced(&n) { Node.take(from: n, into: &pending) }
        }
    }

    private static func take(from n: Node, into pending: inout [Node]) {
        for p in n.parents { if let p { pending.append(p) } }
        for t in n.saved { if let m = t.node { pending.append(m) } }
        n.parents = []
        n.saved = []
    }
}

/// What a derivative rule receives.
struct BackwardContext {
    /// Gradient of the objective with respect to the node's output (same shape as the output).
    let grad: Tensor
    /// The node's saved tensors (tracked when the graph of the backward pass is being built).
    let saved: [Tensor]
    /// The node's output value, when it was saved (tracked when building a graph).
    let output: Tensor?
    /// Which inputs need a gradient; a rule may return nil for the others.
    let needs: [Bool]
}

extension Tensor {
    /// `value` as the result of an operation on `inputs`: if any input is tracked, a node with
    /// derivative `rule` is attached. `saved` are the tensors the rule reads (typically inputs, never
    /// the output itself: pass `saveOutput` for that, which stores the output buffer without a cycle).
    @inline(__always)
    static func record(_ value: Tensor, _ inputs: [Tensor], saving saved: [Tensor] = [], saveOutput: Bool = false,
                       _ rule: @escaping Node.Rule) -> Tensor {
        var anyTracked = false
        for x in inputs where x.node != nil { anyTracked = true; break }
        guard anyTracked else { return value }
        var v = value
        v.node = Node(parents: inputs.map { $0.node }, saved: saved, output: saveOutput ? value.storage : nil,
                      shape: value.shape, rule: rule)
        return v
    }

    /// This tensor as a differentiation variable: a fresh leaf if it was untracked, otherwise an
    /// identity node over its current node (so gradients of gradients reach the outer variables).
    public func tracked() -> Tensor {
        if let n = node {
            return Tensor(shape: shape, storage: storage,
                          node: Node(parents: [n], saved: [], output: nil, shape: shape, rule: { ctx in [ctx.grad] }))
        }
        return Tensor(shape: shape, storage: storage, node: Node(parents: [], saved: [], output: nil, shape: shape, rule: nil))
    }
}

/// Reverse-mode accumulation from `root` back to `targets`.
///
/// Visits the nodes reachable from `root` in reverse topological order, calling each rule only for
/// nodes from which some target can be reached, and only asking for the input gradients that lead
/// to a target. With `createGraph` the rules run on tracked tensors, so the returned gradients are
/// themselves tracked functions of every variable the graph depends on.
func backpropagate(from root: Tensor, seed: Tensor?, to targets: [Node?], createGraph: Bool) -> [Tensor?] {
    guard let rootNode = root.node else { return targets.map { _ in nil } }
    // Iterative depth-first post-order.
    var index: [ObjectIdentifier: Int] = [:]
    var order: [Node] = []
    var stack: [(Node, Int)] = [(rootNode, 0)]
    var visited: Set<ObjectIdentifier> = [ObjectIdentifier(rootNode)]
    while !stack.isEmpty {
        let (n, i) = stack[stack.count - 1]
        if i < n.parents.count {
            stack[stack.count - 1].1 = i + 1
            if let p = n.parents[i], visited.insert(ObjectIdentifier(p)).inserted { stack.append((p, 0)) }
        } else {
            stack.removeLast()
            index[ObjectIdentifier(n)] = order.count
            order.append(n)
        }
    }
    var isTarget = [Bool](repeating: false, count: order.count)
    for t in targets { if let t, let k = index[ObjectIdentifier(t)] { isTarget[k] = true } }
    var needed = isTarget
    for k in 0..<order.count where !needed[k] {
        for p in order[k].parents { if let p, needed[index[ObjectIdentifier(p)]!] { needed[k] = true; break } }
    }

    var grads = [Tensor?](repeating: nil, count: order.count)
    let rootIndex = order.count - 1
    grads[rootIndex] = seed.map { createGraph ? $0 : $0.detached } ?? Tensor.ones(root.shape, dtype: root.dtype)
    for k in stride(from: rootIndex, through: 0, by: -1) {
        guard needed[k], let g = grads[k] else { continue }
        let n = order[k]
        guard let rule = n.rule else { continue }
        let parentIndex = n.parents.map { $0.map { index[ObjectIdentifier($0)]! } }
        let needs = parentIndex.map { $0.map { needed[$0] } ?? false }
        guard needs.contains(true) else { continue }
        if !isTarget[k] { grads[k] = nil }
        if !createGraph, let s = n.slice, let pj = parentIndex[0] {
            if grads[pj] == nil { grads[pj] = Tensor.zeros(order[pj].shape, dtype: g.dtype) }
            grads[pj]!.addBlock(g, alongAxis: s.axis, at: s.start)
            continue
        }
        let ctx = BackwardContext(
            grad: g,
            saved: createGraph ? n.saved : n.saved.map { $0.detached },
            output: n.output.map { Tensor(shape: n.shape, storage: $0, node: createGraph ? n : nil) },
            needs: needs)
        let results = rule(ctx)
        for j in 0..<parentIndex.count where needs[j] {
            guard let r = results[j], let pj = parentIndex[j] else { continue }
            precondition(r.shape == order[pj].shape, "derivative rule returned shape \(r.shape) for an input of shape \(order[pj].shape)")
            if grads[pj] == nil {
                grads[pj] = r
            } else if createGraph {
                grads[pj] = grads[pj]! + r
            } else {
                grads[pj]!.addInPlace(r)
            }
        }
    }
    return targets.map { t in t.flatMap { index[ObjectIdentifier($0)] }.flatMap { grads[$0] } }
}

// MARK: - Public differentiation API

/// The gradients of `y` with respect to each tracked tensor in `xs` (PyTorch's `autograd.grad`).
///
/// Returns, for each x, ∂⟨seed, y⟩/∂x, with `seed` defaulting to ones (so for a scalar y, the plain
/// gradient). A tensor y does not depend on (or an untracked x) gets zeros. With `createGraph`, the
/// results are tracked, so they can be differentiated again.
public func gradients(of y: Tensor, at xs: [Tensor], seed: Tensor? = nil, createGraph: Bool = false) -> [Tensor] {
    if let seed { precondition(seed.shape == y.shape, "gradients(of:at:seed:): seed shape \(seed.shape) for output \(y.shape)") }
    let gs = backpropagate(from: y, seed: seed, to: xs.map { $0.node }, createGraph: createGraph)
    return zip(xs, gs).map { x, g in
        guard let g else { return Tensor.zeros(x.shape, dtype: x.dtype) }
        return createGraph ? g : g.detached
    }
}

/// `f(p)` and its gradient ∇f(p) as a parameter set with the names and shapes of `p`.
///
/// `f` must return a one-element tensor. Each tensor of `p` is tracked for the call (`tracked()`),
/// so this nests: inside an outer `valueWithGradient`, pass `createGraph: true` and the returned
/// gradient is a differentiable function of the outer variables (MAML's inner step, Hessian-vector
/// products). Without `createGraph` the gradient is a plain value (the fast path of SAC and PPO).
/// The returned value is detached unless `p` was already tracked or `createGraph` is set.
public func valueWithGradient(at p: Parameters, createGraph: Bool = false,
                              of f: (Parameters) throws -> Tensor) rethrows -> (value: Tensor, gradient: Parameters) {
    let outer = p.tensors.contains { $0.isTracked }
    let vars = p.mapTensors { $0.tracked() }
    let y = try f(vars)
    precondition(y.count == 1, "valueWithGradient: the function must return one element, got shape \(y.shape)")
    let g = gradients(of: y, at: vars.tensors, createGraph: createGraph)
    return (outer || createGraph ? y : y.detached, Parameters(names: p.names, tensors: g))
}

/// The gradient ∇f(p) (see `valueWithGradient(at:createGraph:of:)`).
public func gradient(at p: Parameters, createGraph: Bool = false, of f: (Parameters) throws -> Tensor) rethrows -> Parameters {
    try valueWithGradient(at: p, createGraph: createGraph, of: f).gradient
}

/// `f(x)` and ∇f(x) for a function of one tensor.
public func valueWithGradient(at x: Tensor, createGraph: Bool = false,
                              of f: (Tensor) throws -> Tensor) rethrows -> (value: Tensor, gradient: Tensor) {
    let outer = x.isTracked
    let v = x.tracked()
    let y = try f(v)
    precondition(y.count == 1, "valueWithGradient: the function must return one element, got shape \(y.shape)")
    let g = gradients(of: y, at: [v], createGraph: createGraph)[0]
    return (outer || createGraph ? y : y.detached, g)
}

/// The Hessian-vector product ∇²f(p)·v, computed as ∇ₚ⟨∇f(p), v⟩ (reverse over reverse).
///
/// This is TRPO's Fisher-vector product when f is the mean KL divergence from the old policy
/// evaluated at the old parameters. `v` must have the names and shapes of `p`.
public func hessianVectorProduct(at p: Parameters, along v: Parameters,
                                 of f: (Parameters) throws -> Tensor) rethrows -> Parameters {
    try gradient(at: p) { q in
        let g = try gradient(at: q, createGraph: true, of: f)
        return g.dot(v.detached)
    }
}
