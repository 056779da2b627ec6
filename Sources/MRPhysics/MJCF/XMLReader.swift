/// A parsed XML element with the line of every attribute, for error messages.
struct XMLNode {
    struct Attribute { let name: String; let value: String; let line: Int }
    let name: String
    let line: Int
    let file: String
    var attributes: [Attribute]
    var children: [XMLNode]

    func attribute(_ n: String) -> Attribute? { attributes.first { $0.name == n } }
}

/// A minimal XML reader for model files: elements, attributes, comments, the XML declaration.
/// Text content other than white space, DTDs, CDATA and processing instructions are errors.
struct XMLReader {
    private let bytes: [UInt8]
    private let file: String
    private var i = 0
    private var line = 1
    private var depth = 0

    /// The deepest nesting of elements accepted (real models nest a dozen levels; this bounds the
    /// reader's and the compiler's recursion, so a hostile file cannot overflow the stack).
    static let maxDepth = 256

    init(text: String, file: String) {
        bytes = Array(text.utf8)
        self.file = file
    }

    static func parse(_ text: String, file: String) throws(ModelError) -> XMLNode {
        var r = XMLReader(text: text, file: file)
        return try r.document()
    }

    private func error(_ message: String, attribute: String? = nil) -> ModelError {
        ModelError(file: file, line: line, attribute: attribute, message: message)
    }

    private var atEnd: Bool { i >= bytes.count }
    private func peek(_ k: Int = 0) -> UInt8 { i + k < bytes.count ? bytes[i + k] : 0 }
    private mutating func advance() { if bytes[i] == 10 { line += 1 }; i += 1 }
    private mutating func skipSpace() { while !atEnd, [32, 9, 10, 13].contains(peek()) { advance() } }
    private func starts(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard i + u.count <= bytes.count else { return false }
        return Array(bytes[i..<(i + u.count)]) == u
    }

    private mutating func skipMisc() throws(ModelError) {
        while true {
            skipSpace()
            if starts("<!--") {
                while !atEnd && !starts("-->") { advance() }
                guard !atEnd else { throw error("unterminated comment") }
                for _ in 0..<3 { advance() }
            } else if starts("<?") {
                while !atEnd && !starts("?>") { advance() }
                guard !atEnd else { throw error("unterminated declaration") }
                advance(); advance()
            } else if starts("<!") {
                throw error("DTDs and CDATA are not supported in model files")
            } else { return }
        }
    }

    private mutating func name() throws(ModelError) -> String {
        let start = i
        while !atEnd {
            let c = peek()
            let ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 95 || c == 45 || c == 58 || c == 46
            if !ok { break }
            advance()
        }
        guard i > start else { throw error("expected a name") }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    mutating func document() throws(ModelError) -> XMLNode {
        try skipMisc()
        guard peek() == 60 else { throw error("expected an element") }
        let root = try element()
        try skipMisc()
        guard atEnd else { throw error("content after the root element") }
        return root
    }

    private mutating func element() throws(ModelError) -> XMLNode {
        let startLine = line
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw error("elements are nested more than \(Self.maxDepth) levels deep") }
        advance()  // <
        let tag = try name()
        var node = XMLNode(name: tag, line: startLine, file: file, attributes: [], children: [])
        while true {
            skipSpace()
            guard !atEnd else { throw error("unterminated tag <\(tag)>") }
            if peek() == 47 && peek(1) == 62 { advance(); advance(); return node }  // />
            if peek() == 62 { advance(); break }
            let attrLine = line
            let an = try name()
            skipSpace()
            guard peek() == 61 else { throw error("attribute without a value", attribute: an) }
            advance(); skipSpace()
            let q = peek()
            guard q == 34 || q == 39 else { throw error("attribute value must be quoted", attribute: an) }
            advance()
            let vs = i
            while !atEnd && peek() != q { advance() }
            guard !atEnd else { throw error("unterminated attribute value", attribute: an) }
            let raw = String(decoding: bytes[vs..<i], as: UTF8.self)
            advance()
            guard node.attribute(an) == nil else { throw ModelError(file: file, line: attrLine, attribute: an, message: "duplicate attribute") }
            node.attributes.append(.init(name: an, value: Self.unescape(raw), line: attrLine))
        }
        while true {
            try skipMisc()
            guard !atEnd else { throw error("element <\(tag)> opened on line \(startLine) is never closed") }
            if peek() == 60 && peek(1) == 47 {
                advance(); advance()
                let closing = try name()
                guard closing == tag else { throw error("</\(closing)> closes <\(tag)> opened on line \(startLine)") }
                skipSpace()
                guard peek() == 62 else { throw error("expected '>'") }
                advance()
                return node
            }
            if peek() == 60 { node.children.append(try element()); continue }
            throw error("unexpected text inside <\(tag)>")
        }
    }

    private static func unescape(_ s: String) -> String {
        guard s.contains("&") else { return s }
        return s.replacingOccurrences("&lt;", "<").replacingOccurrences("&gt;", ">")
            .replacingOccurrences("&quot;", "\"").replacingOccurrences("&apos;", "'").replacingOccurrences("&amp;", "&")
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

extension Substring {
    func range(of needle: String) -> Range<Index>? {
        guard !needle.isEmpty else { return nil }
        var start = startIndex
        while start < endIndex {
            if self[start...].hasPrefix(needle) { return start..<index(start, offsetBy: needle.count) }
            start = index(after: start)
        }
        return nil
    }
}

/// A model file that is malformed or outside the supported MJCF subset.
public struct ModelError: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let attribute: String?
    public let message: String
    public var description: String {
        "\(file):\(line): " + (attribute.map { "attribute '\($0)': " } ?? "") + message
    }
}
