import MRCore

/// A pointwise nonlinearity.
public enum Activation: String, Sendable, Hashable, Codable {
    /// x, max(x, 0), tanh x, 1/(1 + e⁻ˣ), log(1 + eˣ).
    case identity, relu, tanh, sigmoid, softplus

    /// The activation applied elementwise.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .identity: return x
        case .relu: return x.relu()
        case .tanh: return x.tanh()
        case .sigmoid: return x.sigmoid()
        case .softplus: return x.softplus()
        }
    }
}

/// How a weight matrix W of shape [fanIn, fanOut] is drawn.
public enum WeightInit: Sendable, Hashable {
    /// U(−1/√fanIn, 1/√fanIn), PyTorch's default for `nn.Linear` (and its bias).
    case pytorchDefault
    /// U(−a, a) with a = gain·√(6/(fanIn + fanOut)) (Glorot & Bengio 2010).
    case xavierUniform(gain: Double)
    /// A (semi-)orthogonal matrix times `gain` (Saxe et al. 2014), by Gram–Schmidt on a Gaussian matrix.
    case orthogonal(gain: Double)
    /// N(0, std²).
    case normal(std: Double)
    /// U(−bound, bound).
    case uniform(bound: Double)
    /// All zeros.
    case zeros

    /// A [fanIn, fanOut] matrix drawn from this scheme.
    public func matrix(_ fanIn: Int, _ fanOut: Int, dtype: DType, using g: inout SeededGenerator) -> Tensor {
        switch self {
        case .pytorchDefault:
            let a = 1 / Double(fanIn).squareRoot()
            return Tensor.randomUniform([fanIn, fanOut], low: -a, high: a, dtype: dtype, using: &g)
        case .xavierUniform(let gain):
            let a = gain * (6 / Double(fanIn + fanOut)).squareRoot()
            return Tensor.randomUniform([fanIn, fanOut], low: -a, high: a, dtype: dtype, using: &g)
        case .orthogonal(let gain):
            return Tensor(orthogonalMatrix(fanIn, fanOut, gain: gain, using: &g), shape: [fanIn, fanOut], dtype: dtype)
        case .normal(let std):
            return Tensor.randomNormal([fanIn, fanOut], std: std, dtype: dtype, using: &g)
        case .uniform(let b):
            return Tensor.randomUniform([fanIn, fanOut], low: -b, high: b, dtype: dtype, using: &g)
        case .zeros:
            return Tensor.zeros([fanIn, fanOut], dtype: dtype)
        }
    }
}

/// Row-major [rows, cols] with orthonormal rows (rows ≤ cols) or columns (rows > cols), times gain.
func orthogonalMatrix(_ rows: Int, _ cols: Int, gain: Double, using g: inout SeededGenerator) -> [Double] {
    let k = min(rows, cols), len = max(rows, cols)
    var v = (0..<(k * len)).map { _ in g.normal() }   // k vectors of length len
    for i in 0..<k {
        for _ in 0..<2 {   // Gram–Schmidt twice for orthogonality to rounding error
            for j in 0..<i {
                var d = 0.0
                for t in 0..<len { d += v[i * len + t] * v[j * len + t] }
                for t in 0..<len { v[i * len + t] -= d * v[j * len + t] }
            }
        }
        var n = 0.0
        for t in 0..<len { n += v[i * len + t] * v[i * len + t] }
        n = n.squareRoot()
        for t in 0..<len { v[i * len + t] /= n }
    }
    var out = [Double](repeating: 0, count: rows * cols)
    for r in 0..<rows {
        for c in 0..<cols { out[r * cols + c] = gain * (rows <= cols ? v[r * len + c] : v[c * len + r]) }
    }
    return out
}

/// A fully connected layer y = x·W + b, W of shape [inputSize, outputSize], b of [outputSize].
///
/// Holds only the structure; its parameters are `"<name>.weight"` and `"<name>.bias"` in a
/// `Parameters` passed to every call.
public struct Linear: Sendable, Hashable {
    /// Prefix of the parameter names.
    public let name: String
    /// Features in.
    public let inputSize: Int
    /// Features out.
    public let outputSize: Int

    /// A layer mapping `inputSize` features to `outputSize`.
    public init(_ name: String, inputSize: Int, outputSize: Int) {
        precondition(inputSize > 0 && outputSize > 0, "Linear: sizes must be positive")
        self.name = name
        self.inputSize = inputSize
        self.outputSize = outputSize
    }

    /// Name of the weight matrix.
    public var weightName: String { name + ".weight" }
    /// Name of the bias vector.
    public var biasName: String { name + ".bias" }

    /// Freshly drawn parameters: W from `weightInit`, b from U(±1/√inputSize) (PyTorch) or the constant `biasValue`.
    public func initialParameters(weightInit: WeightInit = .pytorchDefault, biasValue: Double? = nil,
                                  dtype: DType = .float32, using g: inout SeededGenerator) -> Parameters {
        let w = weightInit.matrix(inputSize, outputSize, dtype: dtype, using: &g)
        let b: Tensor
        if let biasValue { b = Tensor(repeating: biasValue, shape: [outputSize], dtype: dtype) }
        else {
            let a = 1 / Double(inputSize).squareRoot()
            b = Tensor.randomUniform([outputSize], low: -a, high: a, dtype: dtype, using: &g)
        }
        return Parameters([(weightName, w), (biasName, b)])
    }

    /// x·W + b for x of shape [..., inputSize]; the result has shape [..., outputSize].
    public func callAsFunction(_ p: Parameters, _ x: Tensor) -> Tensor {
        precondition(x.rank >= 1 && x.shape[x.rank - 1] == inputSize, "\(name): input \(x.shape), expected last extent \(inputSize)")
        if x.rank == 2 { return affine(x, p[weightName], p[biasName]) }
        let lead = Array(x.shape.dropLast())
        return affine(x.reshaped(to: [-1, inputSize]), p[weightName], p[biasName]).reshaped(to: lead + [outputSize])
    }
}

/// A multilayer perceptron: Linear layers `"<name>.0"`, `"<name>.1"`, … with `activation` between
/// them and `outputActivation` after the last.
public struct MLP: Sendable, Hashable {
    /// Prefix of the parameter names (layer i is `"<name>.i"`).
    public let name: String
    /// Layer widths, input first: [in, h₁, …, out].
    public let sizes: [Int]
    /// Nonlinearity after every hidden layer.
    public let activation: Activation
    /// Nonlinearity after the last layer.
    public let outputActivation: Activation
    /// The layers in order.
    public let layers: [Linear]

    /// An MLP with widths `sizes` (at least two).
    public init(_ name: String, sizes: [Int], activation: Activation = .relu, outputActivation: Activation = .identity) {
        precondition(sizes.count >= 2, "MLP: need at least an input and an output size")
        self.name = name
        self.sizes = sizes
        self.activation = activation
        self.outputActivation = outputActivation
        layers = (0..<(sizes.count - 1)).map { Linear("\(name).\($0)", inputSize: sizes[$0], outputSize: sizes[$0 + 1]) }
    }

    /// Features in.
    public var inputSize: Int { sizes[0] }
    /// Features out.
    public var outputSize: Int { sizes[sizes.count - 1] }

    /// Parameters of every layer, drawn in layer order. `outputInit`, when given, replaces
    /// `weightInit` for the last layer (e.g. a small-scale policy head).
    public func initialParameters(weightInit: WeightInit = .pytorchDefault, outputInit: WeightInit? = nil,
                                  outputBias: Double? = nil, dtype: DType = .float32,
                                  using g: inout SeededGenerator) -> Parameters {
        var p = Parameters()
        for (i, l) in layers.enumerated() {
            let last = i == layers.count - 1
            p = p.merging(l.initialParameters(weightInit: last ? (outputInit ?? weightInit) : weightInit,
                                              biasValue: last ? outputBias : nil, dtype: dtype, using: &g))
        }
        return p
    }

    /// The network applied to x of shape [..., inputSize].
    public func callAsFunction(_ p: Parameters, _ x: Tensor) -> Tensor {
        var h = x
        for (i, l) in layers.enumerated() {
            h = l(p, h)
            h = i == layers.count - 1 ? outputActivation(h) : activation(h)
        }
        return h
    }
}
