import CPNG

/// PNG input and output through libpng's simplified API (`png_image_*`), which reports errors in
/// `png_image.message` instead of `longjmp`ing (Swift cannot call `setjmp`, so the classic API
/// would abort the process on the first error). Every failure is a thrown `RenderError.png`.
public enum PNG {
    /// Writes `image` as an 8-bit RGBA PNG file. `fast` trades size for speed (libpng's
    /// `PNG_IMAGE_FLAG_FAST`). Throws `RenderError.png` with libpng's message when the file
    /// cannot be created or written (missing or read-only directory, full disk…).
    public static func write(_ image: Image, to path: String, fast: Bool = false) throws {
        try checkPath(path, operation: "write")
        var control = makeControl(width: image.width, height: image.height, fast: fast)
        let ok = image.pixels.withUnsafeBytes { buf in
            png_image_write_to_file(&control, path, 0, buf.baseAddress, 0, nil)
        }
        if ok == 0 {
            throw RenderError.png(operation: "write", path: path, message: message(of: control, fallback: "cannot write the file"))
        }
    }

    /// Encodes `image` as the bytes of an 8-bit RGBA PNG file.
    public static func encode(_ image: Image, fast: Bool = false) throws -> [UInt8] {
        var control = makeControl(width: image.width, height: image.height, fast: fast)
        // libpng's PNG_IMAGE_PNG_SIZE_MAX bound, so a single call normally suffices.
        let data = image.width * image.height * 4 + image.height
        let zlib = data + (data + 7) / 8 + (data + 63) / 64 + 11
        var capacity = 8 + 25 + 16 + 44 + 12 + 12 + 12 * (zlib / 8192 + 1) + zlib
        for _ in 0..<2 {
            var out = [UInt8](repeating: 0, count: capacity)
            var size = png_alloc_size_t(capacity)
            let ok = out.withUnsafeMutableBytes { dst in
                image.pixels.withUnsafeBytes { src in
                    png_image_write_to_memory(&control, dst.baseAddress, &size, 0, src.baseAddress, 0, nil)
                }
            }
            if ok != 0 {
                out.removeSubrange(Int(size)...)
                return out
            }
            // Too small a buffer: libpng reports the size it needs; retry once with it.
            if Int(size) > capacity {
                capacity = Int(size)
                control = makeControl(width: image.width, height: image.height, fast: fast)
                continue
            }
            throw RenderError.png(operation: "encode", path: nil, message: message(of: control, fallback: "encoding failed"))
        }
        throw RenderError.png(operation: "encode", path: nil, message: "output buffer size kept growing")
    }

    /// Reads a PNG file of any colour type and bit depth, converted to 8-bit RGBA. Throws
    /// `RenderError.png` for a missing or unreadable file or one that is not a valid PNG, and
    /// `RenderError.invalidSize` for an image larger than `Image` accepts.
    public static func read(from path: String) throws -> Image {
        try checkPath(path, operation: "read")
        var control = png_image()
        control.version = png_uint_32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&control, path) != 0 else {
            throw RenderError.png(operation: "read", path: path, message: message(of: control, fallback: "cannot read the file"))
        }
        return try finishRead(&control, path: path)
    }

    /// Decodes the bytes of a PNG file into an RGBA8 image (see `read(from:)`).
    public static func decode(_ bytes: [UInt8]) throws -> Image {
        guard !bytes.isEmpty else {
            throw RenderError.png(operation: "decode", path: nil, message: "no data")
        }
        return try bytes.withUnsafeBytes { buf in
            var control = png_image()
            control.version = png_uint_32(PNG_IMAGE_VERSION)
            guard png_image_begin_read_from_memory(&control, buf.baseAddress, buf.count) != 0 else {
                throw RenderError.png(operation: "decode", path: nil, message: message(of: control, fallback: "not a PNG stream"))
            }
            // The memory must stay valid until finish_read: it does, inside this closure.
            return try finishRead(&control, path: nil)
        }
    }

    // MARK: - Internals

    private static var rgba: png_uint_32 { png_uint_32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA) }

    private static func makeControl(width: Int, height: Int, fast: Bool) -> png_image {
        var control = png_image()                            // zeroed: opaque = NULL
        control.version = png_uint_32(PNG_IMAGE_VERSION)
        control.width = png_uint_32(width)
        control.height = png_uint_32(height)
        control.format = rgba
        control.flags = fast ? png_uint_32(PNG_IMAGE_FLAG_FAST) : 0
        return control
    }

    private static func finishRead(_ control: inout png_image, path: String?) throws -> Image {
        let w = Int(control.width), h = Int(control.height)
        do {
            try Image.validateSize(width: w, height: h)
        } catch {
            png_image_free(&control)
            throw error
        }
        control.format = rgba
        var pixels = [UInt8](repeating: 0, count: w * h * 4)
        let ok = pixels.withUnsafeMutableBytes { buf in
            png_image_finish_read(&control, nil, buf.baseAddress, 0, nil)
        }
        guard ok != 0 else {
            png_image_free(&control)                        // harmless if libpng already freed it
            throw RenderError.png(operation: "read", path: path, message: message(of: control, fallback: "corrupt image data"))
        }
        return try Image(width: w, height: h, pixels: pixels)
    }

    private static func checkPath(_ path: String, operation: String) throws {
        guard !path.isEmpty else { throw RenderError.png(operation: operation, path: path, message: "empty path") }
        guard !path.utf8.contains(0) else {
            throw RenderError.png(operation: operation, path: path, message: "path contains a NUL byte")
        }
    }

    /// libpng's message (NUL-terminated `char[64]`), or `fallback` when it is empty.
    private static func message(of control: png_image, fallback: String) -> String {
        let text = withUnsafeBytes(of: control.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? fallback : text
    }
}
