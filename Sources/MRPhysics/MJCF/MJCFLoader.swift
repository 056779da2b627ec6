import MRCore

/// Loads models written in mrbench's MJCF subset (see Sources/MRPhysics/README.md).
public enum MJCFLoader {
    /// Loads and builds a model file.
    /// - Throws: `ModelError` naming file, line and attribute for anything malformed or outside the subset.
    /// `planar` chooses how a planar model is held in its plane (the file cannot say: it is MuJoCo's
    /// format); the default uses ODE's constraint rows.
    /// `explicitDamping` names slide joints whose damping is applied as a force each substep
    /// (`JointDynamics.explicitDamping`) rather than on an implicit row.
    /// `checkFile` is called with the path of the model file and of every file it includes, before
    /// each is read (mrbench's registry verifies them against `Assets/MANIFEST.json` there).
    public static func load(path: String, planar: PlanarScheme = .constraintRows, explicitDamping: Set<String> = [],
                            checkFile: ((String) throws -> Void)? = nil) throws -> Model {
        let root = try parseFile(path, includedFrom: nil, checkFile: checkFile)
        var compiler = MJCFCompiler(root: root)
        compiler.planar = planar
        compiler.explicitDamping = explicitDamping
        return try compiler.build()
    }

    /// Builds a model from text (`file` names it in errors; includes resolve against `baseDirectory`).
    public static func load(text: String, file: String = "<string>", baseDirectory: String = ".") throws -> Model {
        var root = try XMLReader.parse(text, file: file)
        try expandIncludes(&root, baseDirectory: baseDirectory, checkFile: nil, level: 0)
        var compiler = MJCFCompiler(root: root)
        return try compiler.build()
    }

    /// The deepest chain of `<include>`s accepted (a file that includes itself ends here).
    static let maxIncludeDepth = 8

    static func parseFile(_ path: String, includedFrom: (XMLNode, XMLNode.Attribute)?, checkFile: ((String) throws -> Void)?,
                          level: Int = 0) throws -> XMLNode {
        try checkFile?(path)
        let text: String
        switch FileReading.readText(path) {
        case let .success(t): text = t
        case let .failure(e):
            if let (node, attr) = includedFrom {
                throw ModelError(file: node.file, line: attr.line, attribute: attr.name, message: "cannot read included file \(e.path): \(e.reason)")
            }
            throw ModelError(file: path, line: 0, attribute: nil, message: "cannot read model file: \(e.reason)")
        }
        var root = try XMLReader.parse(text, file: path)
        try expandIncludes(&root, baseDirectory: FileReading.directory(of: path), checkFile: checkFile, level: level)
        return root
    }

    /// Replaces `<include file="…"/>` by the children of the included file's `<mujoco>` root.
    static func expandIncludes(_ node: inout XMLNode, baseDirectory: String, checkFile: ((String) throws -> Void)?, level: Int) throws {
        var out: [XMLNode] = []
        for var child in node.children {
            if child.name == "include" {
                guard let f = child.attribute("file") else {
                    throw ModelError(file: child.file, line: child.line, attribute: "file", message: "<include> needs a file attribute")
                }
                for a in child.attributes where a.name != "file" {
                    throw ModelError(file: child.file, line: a.line, attribute: a.name, message: "unsupported attribute of <include>")
                }
                guard level < maxIncludeDepth else {
                    throw ModelError(file: child.file, line: f.line, attribute: f.name, message: "includes are nested more than \(maxIncludeDepth) levels deep (does a file include itself?)")
                }
                let included = try parseFile(FileReading.join(baseDirectory, f.value), includedFrom: (child, f), checkFile: checkFile, level: level + 1)
                guard included.name == "mujoco" else {
                    throw ModelError(file: included.file, line: included.line, attribute: nil, message: "an included file's root must be <mujoco>")
                }
                out.append(contentsOf: included.children)
            } else {
                try expandIncludes(&child, baseDirectory: baseDirectory, checkFile: checkFile, level: level)
                out.append(child)
            }
        }
        node.children = out
    }
}
