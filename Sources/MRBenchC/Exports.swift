import Foundation
import MRCore
import MRSuite

// The C entry points declared in mrbench.h. Each one checks its arguments, runs inside `guarded`
// (errors become a status code and the thread's last error), and never lets a Swift error or a
// precondition cross the boundary.

/// Opaque handles: a retained `EnvHandle` / `VecHandle` behind the C pointer.
private func env(_ p: OpaquePointer?) throws(ABIError) -> EnvHandle {
    guard let p else { throw ABIError(Code.argument, "environment handle is NULL") }
    return Unmanaged<EnvHandle>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
}

private func vec(_ p: OpaquePointer?) throws(ABIError) -> VecHandle {
    guard let p else { throw ABIError(Code.argument, "vector environment handle is NULL") }
    return Unmanaged<VecHandle>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
}

@_cdecl("mrbench_abi_version")
public func mrbench_abi_version() -> Int32 { abiVersion }

@_cdecl("mrbench_last_error")
public func mrbench_last_error() -> UnsafePointer<CChar> {
    LastError.pointer ?? UnsafePointer(emptyString.pointer)
}

private let emptyString = CString("")

@_cdecl("mrbench_set_assets")
public func mrbench_set_assets(_ path: UnsafePointer<CChar>?) -> Int32 {
    guarded { () throws(ABIError) in
        let p = try string(path, "assets path")
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue else {
            throw ABIError(Code.argument, "assets directory \(p) does not exist")
        }
        LibraryState.shared.assets = p
    }
}

@_cdecl("mrbench_catalogue")
public func mrbench_catalogue() -> UnsafePointer<CChar> { LibraryState.shared.catalogue }

@_cdecl("mrbench_benchmark_info")
public func mrbench_benchmark_info(_ benchmark: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32 {
    guarded { () throws(ABIError) in
        let out = try nonNull(out, "out")
        out.pointee = try LibraryState.shared.benchmarkInfo(try string(benchmark, "benchmark id"))
    }
}

@_cdecl("mrbench_env_make")
public func mrbench_env_make(_ id: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded { () throws(ABIError) in
        let out = try nonNull(out, "out")
        let h = try EnvHandle.make(id: try string(id, "environment id"))
        out.pointee = OpaquePointer(Unmanaged.passRetained(h).toOpaque())
    }
}

@_cdecl("mrbench_env_make_train")
public func mrbench_env_make_train(_ benchmark: UnsafePointer<CChar>?, _ index: Int64, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded { () throws(ABIError) in
        let out = try nonNull(out, "out")
        guard let i = Int(exactly: index) else { throw ABIError(Code.argument, "train task index \(index) is out of range") }
        let h = try EnvHandle.makeTrain(benchmark: try string(benchmark, "benchmark id"), index: i)
        out.pointee = OpaquePointer(Unmanaged.passRetained(h).toOpaque())
    }
}

@_cdecl("mrbench_env_free")
public func mrbench_env_free(_ p: OpaquePointer?) {
    guard let p else { return }
    Unmanaged<EnvHandle>.fromOpaque(UnsafeRawPointer(p)).release()
}

@_cdecl("mrbench_env_info")
public func mrbench_env_info(_ p: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let h = try? env(p) else { return nil }
    return UnsafePointer(h.info.pointer)
}

@_cdecl("mrbench_env_reset")
public func mrbench_env_reset(_ p: OpaquePointer?, _ seed: UInt64, _ hasSeed: Int32, _ obs: UnsafeMutablePointer<Float>?, _ obsLen: Int) -> Int32 {
    guarded { () throws(ABIError) in
        let h = try env(p)
        let o = try checkBuffer(obs, obsLen, expected: h.observationSize, "observation buffer")
        let v = h.reset(seed: hasSeed != 0 ? seed : nil)
        v.withUnsafeBufferPointer { o.update(from: $0.baseAddress!, count: h.observationSize) }
    }
}

@_cdecl("mrbench_env_step")
public func mrbench_env_step(_ p: OpaquePointer?, _ action: UnsafePointer<Float>?, _ actionLen: Int,
                             _ obs: UnsafeMutablePointer<Float>?, _ obsLen: Int,
                             _ reward: UnsafeMutablePointer<Double>?, _ status: UnsafeMutablePointer<Int8>?,
                             _ success: UnsafeMutablePointer<Int8>?) -> Int32 {
    guarded { () throws(ABIError) in
        let h = try env(p)
        guard let a = action else { throw ABIError(Code.argument, "action is NULL") }
        let o = try checkBuffer(obs, obsLen, expected: h.observationSize, "observation buffer")
        let rw = try nonNull(reward, "reward"), st = try nonNull(status, "status"), su = try nonNull(success, "success")
        guard actionLen == h.actionSize else {
            throw ABIError(Code.argument, "action has \(actionLen) components, the action space of \(h.id) has \(h.actionSize)")
        }
        let buffer = UnsafeBufferPointer(start: a, count: actionLen)
        try h.checkCanStep()
        try h.checkAction(buffer)
        let r = try h.step(Array(buffer))
        r.observation.withUnsafeBufferPointer { o.update(from: $0.baseAddress!, count: h.observationSize) }
        rw.pointee = r.reward
        st.pointee = StatusCode.of(r.status)
        su.pointee = r.info.success.map { $0 ? 1 : 0 } ?? -1
    }
}

@_cdecl("mrbench_env_goal_reward")
public func mrbench_env_goal_reward(_ p: OpaquePointer?, _ achieved: UnsafePointer<Float>?, _ desired: UnsafePointer<Float>?,
                                    _ n: Int, _ goalDim: Int, _ out: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded { () throws(ABIError) in
        let h = try env(p)
        guard let g = h.goal else { throw ABIError(Code.argument, "\(h.id) is not goal-conditioned: it has no goal-reward function") }
        guard goalDim == g.achievedGoal.count else { throw ABIError(Code.argument, "goals have \(goalDim) components, \(h.id)'s goals have \(g.achievedGoal.count)") }
        guard n >= 0 else { throw ABIError(Code.argument, "negative goal count \(n)") }
        if n == 0 { return }
        guard let achieved else { throw ABIError(Code.argument, "achieved goals are NULL") }
        guard let desired else { throw ABIError(Code.argument, "desired goals are NULL") }
        let out = try nonNull(out, "out")
        for i in 0..<n {
            let a = Array(UnsafeBufferPointer(start: achieved + i * goalDim, count: goalDim))
            let d = Array(UnsafeBufferPointer(start: desired + i * goalDim, count: goalDim))
            out[i] = g(achieved: a, desired: d)
        }
    }
}

@_cdecl("mrbench_vec_make")
public func mrbench_vec_make(_ envs: UnsafePointer<OpaquePointer?>?, _ n: Int, _ threads: Int32, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded { () throws(ABIError) in
        let out = try nonNull(out, "out")
        guard let envs else { throw ABIError(Code.argument, "environment array is NULL") }
        guard n >= 1 else { throw ABIError(Code.argument, "a vector environment needs at least one environment, got \(n)") }
        var handles: [EnvHandle] = []
        for i in 0..<n {
            do throws(ABIError) { handles.append(try env(envs[i])) } catch { throw ABIError(error.code, "environment \(i): \(error.message)") }
        }
        guard Set(handles.map { ObjectIdentifier($0) }).count == n else {
            throw ABIError(Code.argument, "the same environment handle appears twice in the vector")
        }
        for (i, h) in handles.enumerated() where h.observationSize != handles[0].observationSize || h.actionSize != handles[0].actionSize {
            throw ABIError(Code.argument, "environment \(i) (\(h.id)) has sizes \(h.observationSize)/\(h.actionSize), environment 0 (\(handles[0].id)) \(handles[0].observationSize)/\(handles[0].actionSize)")
        }
        let t = threads > 0 ? Int(threads) : ProcessInfo.processInfo.activeProcessorCount
        out.pointee = OpaquePointer(Unmanaged.passRetained(VecHandle(envs: handles, threads: t)).toOpaque())
    }
}

@_cdecl("mrbench_vec_free")
public func mrbench_vec_free(_ p: OpaquePointer?) {
    guard let p else { return }
    Unmanaged<VecHandle>.fromOpaque(UnsafeRawPointer(p)).release()
}

@_cdecl("mrbench_vec_reset")
public func mrbench_vec_reset(_ p: OpaquePointer?, _ seeds: UnsafePointer<UInt64>?, _ obs: UnsafeMutablePointer<Float>?, _ obsLen: Int) -> Int32 {
    guarded { () throws(ABIError) in
        let v = try vec(p)
        let o = try checkBuffer(obs, obsLen, expected: v.envs.count * v.observationSize, "observation buffer")
        try v.reset(seeds: seeds.map { Array(UnsafeBufferPointer(start: $0, count: v.envs.count)) }, obs: o)
    }
}

@_cdecl("mrbench_vec_step")
public func mrbench_vec_step(_ p: OpaquePointer?, _ actions: UnsafePointer<Float>?, _ actionsLen: Int,
                             _ obs: UnsafeMutablePointer<Float>?, _ obsLen: Int,
                             _ reward: UnsafeMutablePointer<Double>?, _ status: UnsafeMutablePointer<Int8>?,
                             _ success: UnsafeMutablePointer<Int8>?) -> Int32 {
    guarded { () throws(ABIError) in
        let v = try vec(p)
        let a = try checkBuffer(actions, actionsLen, expected: v.envs.count * v.actionSize, "actions")
        let o = try checkBuffer(obs, obsLen, expected: v.envs.count * v.observationSize, "observation buffer")
        try v.step(actions: a, obs: o, reward: try nonNull(reward, "reward"), status: try nonNull(status, "status"), success: try nonNull(success, "success"))
    }
}
