import MRCore

/// A gated recurrent unit cell (Cho et al. 2014), in PyTorch's formulation:
///
///     r = σ(x·W_ir + b_ir + h·W_hr + b_hr)
///     z = σ(x·W_iz + b_iz + h·W_hz + b_hz)
///     n = tanh(x·W_in + b_in + r ⊙ (h·W_hn + b_hn))
///     h′ = (1 − z) ⊙ n + z ⊙ h
///
/// Parameters: `"<name>.weight_ih"` [input, 3H], `"<name>.weight_hh"` [H, 3H], `"<name>.bias_ih"` [3H],
/// `"<name>.bias_hh"` [3H], gate blocks in the order r, z, n.
public struct GRUCell: Sendable, Hashable {
    /// Prefix of the parameter names.
    public let name: String
    /// Features per input step.
    public let inputSize: Int
    /// State size H.
    public let hiddenSize: Int

    /// A cell mapping inputs of `inputSize` and a state of `hiddenSize`.
    public init(_ name: String, inputSize: Int, hiddenSize: Int) {
        precondition(inputSize > 0 && hiddenSize > 0, "GRUCell: sizes must be positive")
        self.name = name
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
    }

    /// Name of W_ih [input, 3H].
    public var weightIHName: String { name + ".weight_ih" }
    /// Name of W_hh [H, 3H].
    public var weightHHName: String { name + ".weight_hh" }
    /// Name of b_ih [3H].
    public var biasIHName: String { name + ".bias_ih" }
    /// Name of b_hh [3H].
    public var biasHHName: String { name + ".bias_hh" }

    /// PyTorch's initialisation: every entry U(−1/√H, 1/√H); `recurrentInit` may replace it for W_hh.
    public func initialParameters(recurrentInit: WeightInit? = nil, dtype: DType = .float32,
                                  using g: inout SeededGenerator) -> Parameters {
        let a = 1 / Double(hiddenSize).squareRoot(), h3 = 3 * hiddenSize
        let wih = Tensor.randomUniform([inputSize, h3], low: -a, high: a, dtype: dtype, using: &g)
        let whh = recurrentInit.map { ri in
            concat((0..<3).map { _ in ri.matrix(hiddenSize, hiddenSize, dtype: dtype, using: &g) }, alongAxis: 1)
        } ?? Tensor.randomUniform([hiddenSize, h3], low: -a, high: a, dtype: dtype, using: &g)
        let bih = Tensor.randomUniform([h3], low: -a, high: a, dtype: dtype, using: &g)
        let bhh = Tensor.randomUniform([h3], low: -a, high: a, dtype: dtype, using: &g)
        return Parameters([(weightIHName, wih), (weightHHName, whh), (biasIHName, bih), (biasHHName, bhh)])
    }

    /// The next state for input x [B, input] and state h [B, H].
    public func callAsFunction(_ p: Parameters, input x: Tensor, state h: Tensor) -> Tensor {
        step(p, inputProjection: affine(x, p[weightIHName], p[biasIHName]), state: h)
    }

    /// The next state given gi = x·W_ih + b_ih, already computed.
    func step(_ p: Parameters, inputProjection gi: Tensor, state h: Tensor) -> Tensor {
        let H = hiddenSize
        precondition(h.rank == 2 && h.shape[1] == H, "\(name): state \(h.shape), expected [B, \(H)]")
        let gh = affine(h, p[weightHHName], p[biasHHName])
        let rz = (gi.slice(alongAxis: 1, 0 ..< 2 * H) + gh.slice(alongAxis: 1, 0 ..< 2 * H)).sigmoid()
        let r = rz.slice(alongAxis: 1, 0 ..< H)
        let z = rz.slice(alongAxis: 1, H ..< 2 * H)
        let n = (gi.slice(alongAxis: 1, 2 * H ..< 3 * H) + r * gh.slice(alongAxis: 1, 2 * H ..< 3 * H)).tanh()
        return n + z * (h - n)
    }
}

/// A GRU unrolled over a sequence, with optional state resets and truncated backpropagation through time.
public struct GRU: Sendable, Hashable {
    /// The cell applied at every step.
    public let cell: GRUCell

    /// A single-layer GRU; parameters as `GRUCell(name, …)`.
    public init(_ name: String, inputSize: Int, hiddenSize: Int) {
        cell = GRUCell(name, inputSize: inputSize, hiddenSize: hiddenSize)
    }

    /// State size H.
    public var hiddenSize: Int { cell.hiddenSize }
    /// Features per input step.
    public var inputSize: Int { cell.inputSize }

    /// See `GRUCell.initialParameters`.
    public func initialParameters(recurrentInit: WeightInit? = nil, dtype: DType = .float32,
                                  using g: inout SeededGenerator) -> Parameters {
        cell.initialParameters(recurrentInit: recurrentInit, dtype: dtype, using: &g)
    }

    /// Runs the cell over `inputs` [T, B, input] from `initialState` [B, H].
    ///
    /// - Parameters:
    ///   - resetMask: optional [T, B]; before step t, the state of sequence b is multiplied by
    ///     `resetMask[t, b]` (0 at the first step of a new episode or trial, 1 elsewhere).
    ///   - truncation: when k is given, the state is detached every k steps (before steps k, 2k, …),
    ///     so gradients flow back at most k steps through the recurrence (truncated BPTT). The input
    ///     projections stay differentiable at every step.
    /// - Returns: the states after each step [T, B, H] and the final state [B, H].
    public func callAsFunction(_ p: Parameters, _ inputs: Tensor, initialState: Tensor,
                               resetMask: Tensor? = nil, truncation: Int? = nil) -> (outputs: Tensor, finalState: Tensor) {
        precondition(inputs.rank == 3 && inputs.shape[2] == inputSize, "\(cell.name): inputs \(inputs.shape), expected [T, B, \(inputSize)]")
        let T = inputs.shape[0], B = inputs.shape[1], H = hiddenSize
        precondition(initialState.shape == [B, H], "\(cell.name): initial state \(initialState.shape), expected [\(B), \(H)]")
        if let m = resetMask { precondition(m.shape == [T, B], "\(cell.name): reset mask \(m.shape), expected [\(T), \(B)]") }
        if let k = truncation { precondition(k > 0, "truncation must be positive") }
        // All input projections in one matrix product.
        let gi = affine(inputs.reshaped(to: [T * B, inputSize]), p[cell.weightIHName], p[cell.biasIHName])
        var h = initialState
        var outs: [Tensor] = []
        outs.reserveCapacity(T)
        for t in 0..<T {
            if let k = truncation, t > 0, t % k == 0 { h = h.detached }
            if let m = resetMask { h = h * m.slice(alongAxis: 0, t ..< t + 1).reshaped(to: [B, 1]) }
            h = cell.step(p, inputProjection: gi.slice(alongAxis: 0, t * B ..< (t + 1) * B), state: h)
            outs.append(h)
        }
        return (concat(outs, alongAxis: 0).reshaped(to: [T, B, H]), h)
    }
}
