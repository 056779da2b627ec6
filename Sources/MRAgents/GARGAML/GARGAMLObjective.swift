import MRCore
import MRNeural

/// GARGAML's meta-objective on the critic loss.
///
/// Inner loop, per task: θ′ = θ − β∇L_Q(θ; B_pre,1), repeated for the k batches B_pre,1…k of the
/// task's pre-update buffer, where L_Q is SAC's twin-Q loss mean((Q₁ − y)²) + mean((Q₂ − y)²),
/// y = r·scale + γ(1 − d)V̄(s′) (V̄ the target value network: a constant). With exact second
/// order the inner gradients are recorded (`createGraph`), so ∂θ′/∂θ = Π(I − β∇²L_Q); first order
/// treats them as constants (∂θ′/∂θ = I). Outer loss: the mean over tasks of L_Q(θ′ᵢ; B_post,i)
/// on the task's post-update buffer. Only the critic is meta-learned; the actor steps taken
/// against the adapted critic (`adaptedActor`) are plain, undifferentiated gradient steps.
struct CriticMetaObjective {
    let sac: SAC
    let innerLearningRate: Double
    let innerActorLearningRate: Double
    let firstOrder: Bool

    /// θ′ after one inner step per batch of `pre`.
    func adaptedCritics(_ theta: Parameters, on pre: [SACBatch], createGraph: Bool) -> Parameters {
        var q = theta
        for b in pre {
            let g = gradient(at: q, createGraph: createGraph) { sac.criticLoss($0, b, condition: nil) }
            q = q - innerLearningRate * g
        }
        return q
    }

    /// The meta-loss: mean over tasks of the critic loss at the adapted critics on the post-update batch.
    func loss(_ theta: Parameters, tasks: [(pre: [SACBatch], post: SACBatch)]) -> Tensor {
        var total: Tensor?
        for t in tasks {
            let l = sac.criticLoss(adaptedCritics(theta, on: t.pre, createGraph: !firstOrder), t.post, condition: nil)
            total = total.map { $0 + l } ?? l
        }
        return total! * (1 / Double(tasks.count))
    }

    /// The inner loop as acting uses it (nothing recorded): after each inner critic step, one
    /// actor step of size `innerActorLearningRate` on SAC's policy loss against the adapted critic.
    /// Returns the adapted critics and policy.
    func adapt(on pre: [SACBatch], using g: inout SeededGenerator) -> (critics: Parameters, policy: Parameters) {
        var q = sac.critics, p = sac.policy
        for b in pre {
            let gq = gradient(at: q) { sac.criticLoss($0, b, condition: nil) }
            q = q - innerLearningRate * gq
            if innerActorLearningRate > 0 {
                var s = sac
                s.critics = q
                let noise = Tensor.randomNormal([b.observations.shape[0], sac.actionSize], dtype: .float32, using: &g)
                let gp = gradient(at: p) { s.policyLoss($0, input: b.observations, noise: noise).loss }
                p = p - innerActorLearningRate * gp
            }
        }
        return (q, p)
    }
}
