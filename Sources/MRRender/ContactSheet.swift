/// Number formatting for captions without Foundation.
public enum TextFormat {
    /// `value` with exactly `decimals` (0...9) digits after the point, rounded half away from
    /// zero: `fixed(-0.5, decimals: 2)` is "-0.50". NaN and infinities print as "nan", "inf",
    /// "-inf"; magnitudes of 1e15 and above fall back to Swift's shortest representation.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let d = min(max(decimals, 0), 9)
        var p: Double = 1
        for _ in 0..<d { p *= 10 }
        let scaled = (abs(value) * p).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e15 else { return "\(value)" }
        let n = UInt64(scaled)
        let ip = n / UInt64(p), fp = n % UInt64(p)
        let sign = value < 0 && n != 0 ? "-" : ""
        if d == 0 { return sign + String(ip) }
        let frac = String(fp)
        return sign + String(ip) + "." + String(repeating: "0", count: d - frac.count) + frac
    }
}

/// One tile of a contact sheet: a frame and the lines of text printed on it.
public struct ContactSheetFrame: Hashable, Sendable {
    /// The frame.
    public var image: Image
    /// Caption lines, drawn top-left over the frame (or below it).
    public var caption: [String]

    /// A frame with arbitrary caption lines.
    public init(image: Image, caption: [String]) {
        self.image = image
        self.caption = caption
    }

    /// A frame captioned with an environment step's figures: "step 12", "reward 0.532",
    /// "success" or "no success".
    public init(image: Image, step: Int, reward: Double, success: Bool, rewardDecimals: Int = 3) {
        self.init(image: image, caption: ["step \(step)", "reward " + TextFormat.fixed(reward, decimals: rewardDecimals),
                                          success ? "success" : "no success"])
    }
}

/// Where captions go.
public enum CaptionPlacement: Hashable, Sendable {
    /// Over the top-left of the frame on a translucent band.
    case overlay
    /// In a strip below the frame.
    case below
}

/// The layout of a contact sheet.
public struct ContactSheetStyle: Hashable, Sendable {
    /// Tiles per row (≥ 1).
    public var columns: Int
    /// Gap between tiles and around the sheet, in pixels (≥ 0).
    public var spacing: Int
    /// Font scale (≥ 1): 1 gives 5×7-pixel glyphs, 2 gives 10×14.
    public var textScale: Int
    /// Tile size; nil uses the first frame's size. Other sizes are resampled to it.
    public var tileWidth: Int?
    /// Tile height; see `tileWidth`.
    public var tileHeight: Int?
    /// Sheet background.
    public var background: RGBA
    /// Caption text colour.
    public var textColor: RGBA
    /// Band behind overlay captions (nil: none).
    public var captionBackground: RGBA?
    /// Overlay or strip below.
    public var captionPlacement: CaptionPlacement

    /// A style; defaults: 4 columns, 4 px spacing, scale-1 white text on a translucent black band.
    public init(columns: Int = 4, spacing: Int = 4, textScale: Int = 1, tileWidth: Int? = nil, tileHeight: Int? = nil,
                background: RGBA = RGBA(24, 24, 28), textColor: RGBA = .white,
                captionBackground: RGBA? = RGBA(0, 0, 0, 150), captionPlacement: CaptionPlacement = .overlay) {
        self.columns = columns; self.spacing = spacing; self.textScale = textScale
        self.tileWidth = tileWidth; self.tileHeight = tileHeight
        self.background = background; self.textColor = textColor
        self.captionBackground = captionBackground; self.captionPlacement = captionPlacement
    }
}

/// Composes frames into a grid (contact sheet) or a single row (filmstrip) with captions.
public enum ContactSheet {
    /// A grid of `frames`, row-major, `style.columns` per row. Throws `RenderError.invalidArgument`
    /// for no frames or a bad style, `.invalidSize` when the sheet would be too large.
    public static func compose(_ frames: [ContactSheetFrame], style: ContactSheetStyle = ContactSheetStyle()) throws -> Image {
        guard let first = frames.first else { throw RenderError.invalidArgument("a contact sheet needs at least one frame") }
        guard style.columns >= 1 else { throw RenderError.invalidArgument("columns must be at least 1, got \(style.columns)") }
        guard style.spacing >= 0, style.spacing <= 1024 else { throw RenderError.invalidArgument("spacing must be 0...1024") }
        guard style.textScale >= 1, style.textScale <= 16 else { throw RenderError.invalidArgument("textScale must be 1...16") }
        let tw = style.tileWidth ?? first.image.width, th = style.tileHeight ?? first.image.height
        try Image.validateSize(width: tw, height: th)
        let s = style.textScale
        let maxLines = frames.map(\.caption.count).max() ?? 0
        let strip = style.captionPlacement == .below && maxLines > 0 ? (maxLines * BitmapFont.lineHeight + 2) * s : 0
        let cols = min(style.columns, frames.count)
        let rows = (frames.count + cols - 1) / cols
        let sp = style.spacing
        // Check the size before multiplying further (validateSize bounds every factor).
        let width = cols * (tw + sp) + sp
        let cellH = th + strip
        guard cellH <= Image.maxDimension, rows <= Image.maxDimension else {
            throw RenderError.invalidSize(width: width, height: rows * cellH, reason: "contact sheet too large")
        }
        let height = rows * (cellH + sp) + sp
        var sheet = try Image(width: width, height: height, fill: style.background)
        for (i, frame) in frames.enumerated() {
            let x = sp + (i % cols) * (tw + sp)
            let y = sp + (i / cols) * (cellH + sp)
            // Captions are drawn on the tile (or its strip) first, so they are clipped to it.
            var tile = frame.image
            if tile.width != tw || tile.height != th { tile = try tile.resized(width: tw, height: th) }
            let text = frame.caption.joined(separator: "\n")
            switch style.captionPlacement {
            case .overlay:
                if !frame.caption.isEmpty {
                    tile.drawText(text, x: 2 * s, y: 2 * s, scale: s, color: style.textColor, background: style.captionBackground)
                }
                sheet.draw(tile, x: x, y: y)
            case .below:
                sheet.draw(tile, x: x, y: y)
                if strip > 0 {
                    var band = try Image(width: tw, height: strip, fill: style.background)
                    band.drawText(text, x: s, y: 2 * s, scale: s, color: style.textColor)
                    sheet.draw(band, x: x, y: y + th)
                }
            }
        }
        return sheet
    }

    /// All frames in one row (a filmstrip); `style.columns` is ignored.
    public static func filmstrip(_ frames: [ContactSheetFrame], style: ContactSheetStyle = ContactSheetStyle()) throws -> Image {
        var st = style
        st.columns = max(1, frames.count)
        return try compose(frames, style: st)
    }
}
