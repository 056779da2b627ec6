/// An 8-bit RGBA colour (straight, not premultiplied, alpha; sRGB-encoded values as stored in PNG).
public struct RGBA: Hashable, Sendable, CustomStringConvertible {
    /// Red, 0...255.
    public var r: UInt8
    /// Green, 0...255.
    public var g: UInt8
    /// Blue, 0...255.
    public var b: UInt8
    /// Alpha (opacity), 0...255; 255 is opaque.
    public var a: UInt8

    /// A colour from 8-bit components.
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8 = 255) {
        self.r = r; self.g = g; self.b = b; self.a = a
    }

    /// A colour from components in [0, 1] (MuJoCo's `rgba` convention); values are clamped and
    /// non-finite values become 0.
    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.init(RGBA.byte(red), RGBA.byte(green), RGBA.byte(blue), RGBA.byte(alpha))
    }

    static func byte(_ v: Double) -> UInt8 {
        guard v.isFinite else { return 0 }
        return UInt8(min(max(v, 0), 1) * 255 + 0.5)
    }

    /// The same colour with another alpha in [0, 1].
    public func withAlpha(_ alpha: Double) -> RGBA { RGBA(r, g, b, RGBA.byte(alpha)) }

    /// Opaque black.
    public static let black = RGBA(0, 0, 0)
    /// Opaque white.
    public static let white = RGBA(255, 255, 255)
    /// Fully transparent black.
    public static let clear = RGBA(0, 0, 0, 0)

    /// `rgba(r, g, b, a)` with 8-bit components.
    public var description: String { "rgba(\(r), \(g), \(b), \(a))" }

    /// Packed little-endian word: r in the low byte, a in the high byte (the pixel layout in memory).
    @inline(__always) var packed: UInt32 {
        UInt32(r) | UInt32(g) << 8 | UInt32(b) << 16 | UInt32(a) << 24
    }

    @inline(__always) init(packed p: UInt32) {
        self.init(UInt8(truncatingIfNeeded: p), UInt8(truncatingIfNeeded: p >> 8),
                  UInt8(truncatingIfNeeded: p >> 16), UInt8(truncatingIfNeeded: p >> 24))
    }
}

/// Errors of MRRender: bad sizes, bad scenes, bad arguments and PNG input/output failures.
/// Nothing in MRRender traps on bad input; it throws one of these.
public enum RenderError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An image or render size that is zero, negative or too large.
    case invalidSize(width: Int, height: Int, reason: String)
    /// A scene that cannot be rendered (non-finite numbers, negative sizes, a degenerate camera).
    case invalidScene(String)
    /// Another invalid argument (pixel buffer of the wrong length, bad layout parameters).
    case invalidArgument(String)
    /// A PNG could not be written or read; `message` is libpng's (or the system's) explanation.
    case png(operation: String, path: String?, message: String)

    /// A one-line human-readable explanation.
    public var description: String {
        switch self {
        case let .invalidSize(w, h, why): return "invalid image size \(w)×\(h): \(why)"
        case let .invalidScene(why): return "invalid scene: \(why)"
        case let .invalidArgument(why): return "invalid argument: \(why)"
        case let .png(op, path, message):
            if let path { return "PNG \(op) failed for '\(path)': \(message)" }
            return "PNG \(op) failed: \(message)"
        }
    }
}

/// An RGBA8 image: `width × height` pixels, row-major from the top-left, 4 bytes per pixel
/// in the order r, g, b, a.
public struct Image: Hashable, Sendable {
    /// Width in pixels (≥ 1).
    public let width: Int
    /// Height in pixels (≥ 1).
    public let height: Int
    /// `width * height * 4` bytes: r, g, b, a per pixel, rows top to bottom.
    public private(set) var pixels: [UInt8]

    /// The largest accepted width or height.
    public static let maxDimension = 16_384
    /// The largest accepted pixel count (width × height), 64 Mi pixels (256 MiB of RGBA).
    public static let maxPixelCount = 1 << 26

    /// Throws `RenderError.invalidSize` unless 1 ≤ width, height ≤ `maxDimension` and
    /// width × height ≤ `maxPixelCount`.
    public static func validateSize(width: Int, height: Int) throws {
        guard width >= 1, height >= 1 else {
            throw RenderError.invalidSize(width: width, height: height, reason: "width and height must be at least 1")
        }
        guard width <= maxDimension, height <= maxDimension else {
            throw RenderError.invalidSize(width: width, height: height,
                                          reason: "width and height must be at most \(maxDimension)")
        }
        guard width * height <= maxPixelCount else {
            throw RenderError.invalidSize(width: width, height: height,
                                          reason: "at most \(maxPixelCount) pixels are allowed")
        }
    }

    /// An image filled with one colour. Throws `RenderError.invalidSize` for a bad size.
    public init(width: Int, height: Int, fill: RGBA = .black) throws {
        try Image.validateSize(width: width, height: height)
        self.width = width
        self.height = height
        let p = fill
        var bytes = [UInt8](repeating: 0, count: width * height * 4)
        if p != .clear {
            bytes.withUnsafeMutableBufferPointer { buf in
                var i = 0
                while i < buf.count {
                    buf[i] = p.r; buf[i + 1] = p.g; buf[i + 2] = p.b; buf[i + 3] = p.a
                    i &+= 4
                }
            }
        }
        pixels = bytes
    }

    /// An image over existing RGBA8 bytes. Throws for a bad size or a byte count other than
    /// `width * height * 4`.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        try Image.validateSize(width: width, height: height)
        guard pixels.count == width * height * 4 else {
            throw RenderError.invalidArgument("expected \(width * height * 4) bytes for a \(width)×\(height) RGBA image, got \(pixels.count)")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Internal: an uninitialised-content image of a size already validated.
    init(validatedWidth width: Int, height: Int) {
        self.width = width
        self.height = height
        self.pixels = [UInt8](repeating: 0, count: width * height * 4)
    }

    /// True when (x, y) is inside the image.
    @inlinable public func contains(x: Int, y: Int) -> Bool { x >= 0 && y >= 0 && x < width && y < height }

    /// The pixel at (x, y); (0, 0) is the top-left. Out-of-range coordinates trap, as with arrays;
    /// use `pixel(x:y:)` for a checked read.
    public subscript(x: Int, y: Int) -> RGBA {
        get {
            precondition(contains(x: x, y: y), "Image: pixel (\(x), \(y)) outside \(width)×\(height)")
            let o = (y * width + x) * 4
            return RGBA(pixels[o], pixels[o + 1], pixels[o + 2], pixels[o + 3])
        }
        set {
            precondition(contains(x: x, y: y), "Image: pixel (\(x), \(y)) outside \(width)×\(height)")
            let o = (y * width + x) * 4
            pixels[o] = newValue.r; pixels[o + 1] = newValue.g; pixels[o + 2] = newValue.b; pixels[o + 3] = newValue.a
        }
    }

    /// The pixel at (x, y), or nil outside the image.
    public func pixel(x: Int, y: Int) -> RGBA? { contains(x: x, y: y) ? self[x, y] : nil }

    /// Calls `body` with the pixel bytes for in-place edits (the count must not change).
    public mutating func withUnsafeMutablePixels<R>(_ body: (UnsafeMutableBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try pixels.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// Blends `color` over the rectangle (clipped to the image) with the colour's alpha.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: RGBA) {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x &+ max(0, w)), y1 = min(height, y &+ max(0, h))
        guard x0 < x1, y0 < y1 else { return }
        let a = Int(color.a)
        let W = width
        pixels.withUnsafeMutableBufferPointer { p in
            for yy in y0..<y1 {
                var o = (yy * W + x0) * 4
                for _ in x0..<x1 {
                    if a == 255 {
                        p[o] = color.r; p[o + 1] = color.g; p[o + 2] = color.b; p[o + 3] = 255
                    } else {
                        p[o] = Image.mix(p[o], color.r, a)
                        p[o + 1] = Image.mix(p[o + 1], color.g, a)
                        p[o + 2] = Image.mix(p[o + 2], color.b, a)
                        p[o + 3] = UInt8(a + (Int(p[o + 3]) * (255 - a) + 127) / 255)
                    }
                    o &+= 4
                }
            }
        }
    }

    @inline(__always) static func mix(_ dst: UInt8, _ src: UInt8, _ a: Int) -> UInt8 {
        UInt8((Int(src) * a + Int(dst) * (255 - a) + 127) / 255)
    }

    /// Copies `image` with its top-left corner at (x, y), clipped to this image (no blending).
    public mutating func draw(_ image: Image, x: Int, y: Int) {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x &+ image.width), y1 = min(height, y &+ image.height)
        guard x0 < x1, y0 < y1 else { return }
        let W = width, SW = image.width
        image.pixels.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                for yy in y0..<y1 {
                    let so = ((yy - y) * SW + (x0 - x)) * 4
                    let dO = (yy * W + x0) * 4
                    (d + dO).update(from: s + so, count: (x1 - x0) * 4)
                }
            }
        }
    }

    /// A resampled copy of `width × height`: each output pixel is the average of the source pixels
    /// it covers (area averaging when shrinking, nearest neighbour when enlarging). Throws for a
    /// bad size.
    public func resized(width newW: Int, height newH: Int) throws -> Image {
        try Image.validateSize(width: newW, height: newH)
        if newW == width && newH == height { return self }
        var out = Image(validatedWidth: newW, height: newH)
        let W = width, H = height
        pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<newH {
                    let sy0 = oy * H / newH
                    let sy1 = max(sy0 + 1, (oy + 1) * H / newH)
                    for ox in 0..<newW {
                        let sx0 = ox * W / newW
                        let sx1 = max(sx0 + 1, (ox + 1) * W / newW)
                        var acc = (0, 0, 0, 0)
                        for sy in sy0..<sy1 {
                            var o = (sy * W + sx0) * 4
                            for _ in sx0..<sx1 {
                                acc.0 += Int(src[o]); acc.1 += Int(src[o + 1])
                                acc.2 += Int(src[o + 2]); acc.3 += Int(src[o + 3])
                                o += 4
                            }
                        }
                        let n = (sy1 - sy0) * (sx1 - sx0)
                        let d = (oy * newW + ox) * 4
                        dst[d] = UInt8((acc.0 + n / 2) / n); dst[d + 1] = UInt8((acc.1 + n / 2) / n)
                        dst[d + 2] = UInt8((acc.2 + n / 2) / n); dst[d + 3] = UInt8((acc.3 + n / 2) / n)
                    }
                }
            }
        }
        return out
    }

    /// Mean absolute difference per channel (0...255) between two images of the same size, or nil
    /// when the sizes differ. Used by golden-image comparisons.
    public func meanAbsoluteDifference(to other: Image) -> Double? {
        guard width == other.width, height == other.height else { return nil }
        var total = 0
        pixels.withUnsafeBufferPointer { a in
            other.pixels.withUnsafeBufferPointer { b in
                for i in 0..<a.count { total &+= abs(Int(a[i]) - Int(b[i])) }
            }
        }
        return Double(total) / Double(pixels.count)
    }
}
