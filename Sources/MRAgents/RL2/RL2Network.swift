import Foundation
import MRCore
import MRNeural

/// RL²'s recurrent policy: x_t = o_t ⊕ a_{t−1} ⊕ r_{t−1}·scale ⊕ d_{t−1} → tanh encoder → GRU →
/// Gaussian mean. log σ is a state-independent parameter. (Values come from a linear feature
/// baseline, as in garage's RL², not from a head on the GRU.) The hidden state runs through
/// all the episodes of a trial and starts at zero with each trial.
struct RL2Network: Sendable {
    let observationSize: Int
    let actionSize: Int
    let encoder: MLP
    let gru: GRU
    let policyHead: Linear

    init(observationSize: Int, actionSize: Int, config: RL2Config) {
        self.observationSize = observationSize
        self.actionSize = actionSize
        let input = observationSize + actionSize + 2
        encoder = MLP("encoder", sizes: [input] + config.encoderSizes, activation: .tanh, outputActivation: .tanh)
        gru = GRU("gru", inputSize: config.encoderSizes.last!, hiddenSize: config.gruSize)
        policyHead = Linear("policy", inputSize: config.gruSize, outputSize: actionSize)
    }

    var inputSize: Int { observationSize + actionSize + 2 }
    var hiddenSize: Int { gru.hiddenSize }

    func initialParameters(config: RL2Config, using g: inout SeededGenerator) -> Parameters {
        encoder.initialParameters(using: &g)
            .merging(gru.initialParameters(recurrentInit: .orthogonal(gain: 1), using: &g))
            .merging(policyHead.initialParameters(weightInit: .orthogonal(gain: 0.01), biasValue: 0, using: &g))
            .merging(Parameters([("logStd", Tensor(repeating: config.initialLogStd, shape: [actionSize]))]))
    }

    /// One step for a batch: inputs [B, in], state [B, H] → mean [B, A], new state.
    func step(_ p: Parameters, inputs: Tensor, state: Tensor) -> (mean: Tensor, state: Tensor) {
        let h = gru.cell(p, input: encoder(p, inputs), state: state)
        return (policyHead(p, h), h)
    }

    /// A batch of whole trials: inputs [T, B, in] from a zero state → mean [T·B, A].
    func sequence(_ p: Parameters, inputs: Tensor, truncation: Int?) -> Tensor {
        let T = inputs.shape[0], B = inputs.shape[1]
        let e = encoder(p, inputs.reshaped(to: [T * B, inputSize]))
        let (hs, _) = gru(p, e.reshaped(to: [T, B, e.shape[1]]), initialState: Tensor.zeros([B, hiddenSize]), truncation: truncation)
        let flat = hs.reshaped(to: [T * B, hiddenSize])
        return policyHead(p, flat)
    }

    /// The input row for an observation and what followed the previous action.
    func input(observation o: [Float], previousAction a: [Float], previousReward r: Double, episodeEnded d: Bool) -> [Float] {
        o + a + [Float(r), d ? 1 : 0]
    }
}

/// log N(x; μ, σ) summed over components, in Double (the rollout's bookkeeping).
func gaussianLogProb(_ x: [Float], mean: ArraySlice<Float>, logStd: [Float]) -> Double {
    var s = 0.0
    for (j, m) in mean.enumerated() {
        let ls = Double(logStd[j])
        let z = (Double(x[j]) - Double(m)) / Foundation.exp(ls)
        s += -0.5 * z * z - ls - 0.918_938_533_204_672_74
    }
    return s
}

