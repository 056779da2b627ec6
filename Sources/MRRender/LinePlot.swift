/// One line of a `LinePlot`: named (x, y) points drawn in order, in one colour.
public struct PlotSeries: Sendable {
    /// The name shown in the legend (an empty name leaves the series out of the legend).
    public var name: String
    /// Points in drawing order. Points with a NaN or infinite coordinate are skipped and break the
    /// line; a point with no finite neighbour is drawn as a small disc.
    public var points: [(x: Double, y: Double)]
    /// Line colour; nil takes `LinePlot.palette[i % palette.count]` for the series at index i.
    public var color: RGBA?

    /// A series; `color` nil uses the palette.
    public init(name: String, points: [(x: Double, y: Double)], color: RGBA? = nil) {
        self.name = name
        self.points = points
        self.color = color
    }
}

/// A line plot (learning curves and the like) rendered into an `Image`: white background, framed
/// axes with "nice" ticks (1, 2 or 5 × 10^k) and compact labels (`500k`, `1.5M`, `0.25`, `1e-3`),
/// light grid lines, a title, axis labels (the y label reads bottom to top), anti-aliased lines and
/// a legend in the corner that covers the least data. Output is deterministic.
public struct LinePlot: Sendable {
    /// Text centred above the plot.
    public var title: String
    /// Label under the x axis.
    public var xLabel: String
    /// Label left of the y axis, rotated to read bottom to top.
    public var yLabel: String
    /// The lines, drawn in order (later series on top).
    public var series: [PlotSeries]
    /// Image width in pixels (200...16384).
    public var width = 800
    /// Image height in pixels (150...16384).
    public var height = 500

    /// A plot of `series`, 800×500 pixels unless `width` and `height` are changed.
    public init(title: String, xLabel: String, yLabel: String, series: [PlotSeries]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// The colours given to series without one, by series index (cycled): Tableau 10 (matplotlib's
    /// default cycle), distinct on white and for the common colour-vision deficiencies.
    public static let palette: [RGBA] = [
        RGBA(31, 119, 180), RGBA(255, 127, 14), RGBA(44, 160, 44), RGBA(214, 39, 40), RGBA(148, 103, 189),
        RGBA(140, 86, 75), RGBA(227, 119, 194), RGBA(127, 127, 127), RGBA(188, 189, 34), RGBA(23, 190, 207),
    ]

    /// The smallest accepted width.
    public static let minWidth = 200
    /// The smallest accepted height.
    public static let minHeight = 150

    /// Renders the plot. Throws `RenderError.invalidSize` when `width × height` is below
    /// `minWidth × minHeight`, is not a valid `Image` size, or leaves under 40 px for the data
    /// beside the y tick labels. Empty or all-non-finite data give an empty frame with the text
    /// "no data".
    public func render() throws -> Image {
        let layout = try self.layout()
        var image = try Image(width: width, height: height, fill: .white)
        drawAxes(layout, into: &image)
        let occupancy = drawSeries(layout, into: &image)
        if !layout.hasData {
            let s = layout.scale * 2
            let (w, h) = BitmapFont.size(of: "no data", scale: s)
            image.drawText("no data", x: (layout.left + layout.right - w) / 2, y: (layout.top + layout.bottom - h) / 2,
                           scale: s, color: Style.noData)
        }
        drawLegend(layout, occupancy: occupancy, into: &image)
        return image
    }

    /// The colour series `index` is drawn in.
    func color(ofSeries index: Int) -> RGBA {
        series[index].color ?? Self.palette[index % Self.palette.count]
    }
}

// MARK: - Style

extension LinePlot {
    enum Style {
        static let text = RGBA(34, 34, 34)
        static let frame = RGBA(68, 68, 68)
        static let grid = RGBA(228, 228, 228)
        static let noData = RGBA(150, 150, 150)
        static let legendFill = RGBA(255, 255, 255, 225)
        static let legendBorder = RGBA(200, 200, 200)
        /// Data values beyond this magnitude are skipped like NaN (keeps every span and tick index finite).
        static let maxMagnitude = 1e100
    }
}

// MARK: - Layout

/// Where everything goes: the frame in pixels and the data ranges it spans. Pixel centres are at
/// integer coordinates; the frame lines are the columns `left`, `right` and the rows `top`, `bottom`,
/// and the x range maps onto `left...right`, the y range onto `bottom...top`.
struct LinePlotLayout: Sendable {
    var scale: Int
    var left: Int, right: Int, top: Int, bottom: Int
    var xMin: Double, xMax: Double, yMin: Double, yMax: Double
    var xTicks: AxisTicks, yTicks: AxisTicks
    /// True when some series has a finite point.
    var hasData: Bool

    /// Continuous pixel coordinates of a data point.
    func position(x: Double, y: Double) -> (x: Double, y: Double) {
        (Double(left) + (x - xMin) / (xMax - xMin) * Double(right - left),
         Double(bottom) - (y - yMin) / (yMax - yMin) * Double(bottom - top))
    }

    /// The pixel a data point falls in.
    func pixel(x: Double, y: Double) -> (x: Int, y: Int) {
        let p = position(x: x, y: y)
        return (Int(p.x.rounded()), Int(p.y.rounded()))
    }
}

extension LinePlot {
    /// Text scale: 1 up to 799 px on the short side, 2 from 800, and so on.
    var textScale: Int { max(1, min(width, height) / 400) }

    /// Finite points of every series within `Style.maxMagnitude`, as runs between skipped points.
    func runs(of s: PlotSeries) -> [[(x: Double, y: Double)]] {
        var out: [[(x: Double, y: Double)]] = []
        var run: [(x: Double, y: Double)] = []
        for p in s.points {
            if Self.isPlottable(p.x) && Self.isPlottable(p.y) {
                run.append(p)
            } else if !run.isEmpty {
                out.append(run); run = []
            }
        }
        if !run.isEmpty { out.append(run) }
        return out
    }

    static func isPlottable(_ v: Double) -> Bool { v.isFinite && abs(v) <= Style.maxMagnitude }

    /// The data range of an axis: min and max of the values, widened when they are (nearly) equal:
    /// ±10% around a non-zero value, ±1 around zero. Nil without values.
    static func range(of values: [Double]) -> (lo: Double, hi: Double)? {
        guard var lo = values.first else { return nil }
        var hi = lo
        for v in values { lo = min(lo, v); hi = max(hi, v) }
        let magnitude = max(abs(lo), abs(hi))
        if hi - lo <= max(magnitude * 1e-9, 1e-90) {
            let c = (lo + hi) / 2
            let pad = abs(c) >= 1e-90 ? abs(c) * 0.1 : 1
            return (c - pad, c + pad)
        }
        return (lo, hi)
    }

    /// Computes the layout. Throws `RenderError.invalidSize` for a bad size.
    func layout() throws -> LinePlotLayout {
        guard width >= Self.minWidth, height >= Self.minHeight else {
            throw RenderError.invalidSize(width: width, height: height,
                                          reason: "a line plot needs at least \(Self.minWidth)×\(Self.minHeight) pixels")
        }
        try Image.validateSize(width: width, height: height)
        let s = textScale
        var xs: [Double] = [], ys: [Double] = []
        for item in series {
            for run in runs(of: item) { for p in run { xs.append(p.x); ys.append(p.y) } }
        }
        let hasData = !xs.isEmpty
        let xr = Self.range(of: xs) ?? (0, 1)
        var yr = Self.range(of: ys) ?? (0, 1)
        if hasData {                                            // 5% headroom so lines clear the frame
            let m = (yr.hi - yr.lo) * 0.05
            yr = (yr.lo - m, yr.hi + m)
        }

        let charH = BitmapFont.glyphHeight * s
        let tick = 4 * s
        let top = title.isEmpty ? 10 * s : 8 * s + 2 * charH + 8 * s
        let bottom = height - 1 - (tick + 4 * s + charH + (xLabel.isEmpty ? 0 : 8 * s + charH) + 8 * s)
        // y ticks: about one per 50 px, then widen the step until the labels are 2 font rows apart.
        let noTicks = AxisTicks(multiples: [], exponent: 0, values: [], labels: [])
        let yTicks = !hasData ? noTicks : AxisTicks.ticks(from: yr.lo, to: yr.hi, pixels: Double(bottom - top), minSpacing: { _ in
            Double(2 * BitmapFont.lineHeight * s)
        }, targetSpacing: 50 * Double(s))
        let labelWidth = yTicks.labels.map { BitmapFont.size(of: $0, scale: s).width }.max() ?? 0
        let left = 8 * s + (yLabel.isEmpty ? 0 : charH + 8 * s) + labelWidth + 4 * s + tick
        let right = width - 1 - 24 * s
        // x ticks: about one per 100 px; labels at least 3 characters apart.
        let xTicks = !hasData ? noTicks : AxisTicks.ticks(from: xr.lo, to: xr.hi, pixels: Double(right - left), minSpacing: { labels in
            let w = labels.map { BitmapFont.size(of: $0, scale: s).width }.max() ?? 0
            return Double(w + 3 * BitmapFont.advance * s)
        }, targetSpacing: 100 * Double(s))
        guard right - left >= 40 else {                       // only with tick labels of ~20 characters
            throw RenderError.invalidSize(width: width, height: height, reason: "too narrow for the y tick labels")
        }
        return LinePlotLayout(scale: s, left: left, right: right, top: top, bottom: bottom,
                              xMin: xr.lo, xMax: xr.hi, yMin: yr.lo, yMax: yr.hi,
                              xTicks: xTicks, yTicks: yTicks, hasData: hasData)
    }
}

// MARK: - Drawing

extension LinePlot {
    func drawAxes(_ l: LinePlotLayout, into image: inout Image) {
        let s = l.scale
        let plotW = l.right - l.left, plotH = l.bottom - l.top
        // Grid and tick marks.
        for (v, label) in zip(l.xTicks.values, l.xTicks.labels) {
            let x = l.pixel(x: v, y: l.yMin).x
            image.fill(x: x, y: l.top, width: 1, height: plotH, color: Style.grid)
            image.fill(x: x, y: l.bottom, width: 1, height: 4 * s + 1, color: Style.frame)
            let (w, _) = BitmapFont.size(of: label, scale: s)
            let tx = min(max(0, x - w / 2), image.width - w - 1)
            image.drawText(label, x: tx, y: l.bottom + 8 * s, scale: s, color: Style.text)
        }
        for (v, label) in zip(l.yTicks.values, l.yTicks.labels) {
            let y = l.pixel(x: l.xMin, y: v).y
            image.fill(x: l.left, y: y, width: plotW, height: 1, color: Style.grid)
            image.fill(x: l.left - 4 * s, y: y, width: 4 * s, height: 1, color: Style.frame)
            let (w, h) = BitmapFont.size(of: label, scale: s)
            image.drawText(label, x: l.left - 8 * s - w, y: y - h / 2, scale: s, color: Style.text)
        }
        // Frame.
        image.fill(x: l.left, y: l.top, width: plotW + 1, height: 1, color: Style.frame)
        image.fill(x: l.left, y: l.bottom, width: plotW + 1, height: 1, color: Style.frame)
        image.fill(x: l.left, y: l.top, width: 1, height: plotH + 1, color: Style.frame)
        image.fill(x: l.right, y: l.top, width: 1, height: plotH + 1, color: Style.frame)
        // Title and axis labels.
        let charH = BitmapFont.glyphHeight * s
        if !title.isEmpty {
            let (w, _) = BitmapFont.size(of: title, scale: 2 * s)
            image.drawText(title, x: max(0, (l.left + l.right - w) / 2), y: 8 * s, scale: 2 * s, color: Style.text)
        }
        if !xLabel.isEmpty {
            let (w, _) = BitmapFont.size(of: xLabel, scale: s)
            image.drawText(xLabel, x: max(0, (l.left + l.right - w) / 2), y: image.height - 8 * s - charH,
                           scale: s, color: Style.text)
        }
        if !yLabel.isEmpty {
            let (w, _) = BitmapFont.size(of: yLabel, scale: s)
            image.drawTextRotated(yLabel, x: 8 * s, y: max(0, (l.top + l.bottom + w) / 2), scale: s, color: Style.text)
        }
    }

    /// Draws every series (anti-aliased, clipped to inside the frame) and returns, per pixel inside
    /// the frame, whether a series covers it (for the legend placement).
    func drawSeries(_ l: LinePlotLayout, into image: inout Image) -> [Bool] {
        let x0 = l.left + 1, y0 = l.top + 1
        let w = l.right - l.left - 1, h = l.bottom - l.top - 1
        var occupied = [Bool](repeating: false, count: w * h)
        guard w > 0, h > 0, l.hasData else { return occupied }
        let halfWidth = Double(l.scale)                      // 2 px lines at scale 1
        let markerRadius = 3 * Double(l.scale)
        var coverage = [Float](repeating: 0, count: w * h)
        for (index, s) in series.enumerated() {
            let pieces = runs(of: s)
            if pieces.isEmpty { continue }
            for i in coverage.indices { coverage[i] = 0 }
            var bx0 = w, by0 = h, bx1 = -1, by1 = -1              // dirty box
            coverage.withUnsafeMutableBufferPointer { cov in
                func segment(_ a: (x: Double, y: Double), _ b: (x: Double, y: Double), _ r: Double) {
                    let ax = a.x - Double(x0), ay = a.y - Double(y0), bx = b.x - Double(x0), by = b.y - Double(y0)
                    let lx = max(0, Int((min(ax, bx) - r - 1).rounded(.down)))
                    let hx = min(w - 1, Int((max(ax, bx) + r + 1).rounded(.up)))
                    let ly = max(0, Int((min(ay, by) - r - 1).rounded(.down)))
                    let hy = min(h - 1, Int((max(ay, by) + r + 1).rounded(.up)))
                    guard lx <= hx, ly <= hy else { return }
                    bx0 = min(bx0, lx); by0 = min(by0, ly); bx1 = max(bx1, hx); by1 = max(by1, hy)
                    let dx = bx - ax, dy = by - ay
                    let len2 = dx * dx + dy * dy
                    for py in ly...hy {
                        for px in lx...hx {
                            let qx = Double(px) - ax, qy = Double(py) - ay
                            var t = len2 > 0 ? (qx * dx + qy * dy) / len2 : 0
                            t = min(max(t, 0), 1)
                            let ex = qx - t * dx, ey = qy - t * dy
                            let c = Float(min(max(r + 0.5 - (ex * ex + ey * ey).squareRoot(), 0), 1))
                            let o = py * w + px
                            if c > cov[o] { cov[o] = c }
                        }
                    }
                }
                for run in pieces {
                    let pts = run.map { l.position(x: $0.x, y: $0.y) }
                    if pts.count == 1 {
                        segment(pts[0], pts[0], markerRadius)
                    } else {
                        for i in 1..<pts.count { segment(pts[i - 1], pts[i], halfWidth) }
                    }
                }
            }
            guard bx0 <= bx1, by0 <= by1 else { continue }
            let color = color(ofSeries: index)
            let stride = image.width
            image.withUnsafeMutablePixels { dst in
                for py in by0...by1 {
                    for px in bx0...bx1 {
                        let c = coverage[py * w + px]
                        guard c > 0 else { continue }
                        let a = Int((c * Float(color.a) + 0.5).rounded(.down))
                        let o = ((y0 + py) * stride + x0 + px) * 4
                        dst[o] = Image.mix(dst[o], color.r, a)
                        dst[o + 1] = Image.mix(dst[o + 1], color.g, a)
                        dst[o + 2] = Image.mix(dst[o + 2], color.b, a)
                        dst[o + 3] = UInt8(a + (Int(dst[o + 3]) * (255 - a) + 127) / 255)
                        if c >= 0.25 { occupied[py * w + px] = true }
                    }
                }
            }
        }
        return occupied
    }

    /// Draws the legend in the inside corner (upper right, upper left, lower right, lower left, in
    /// that order of preference) that covers the fewest drawn line pixels.
    func drawLegend(_ l: LinePlotLayout, occupancy: [Bool], into image: inout Image) {
        let entries = series.indices.filter { !series[$0].name.isEmpty }
        guard !entries.isEmpty else { return }
        let s = l.scale
        let pad = 6 * s, sample = 20 * s, gap = 6 * s, rowH = BitmapFont.lineHeight * s + 4 * s
        let textW = entries.map { BitmapFont.size(of: series[$0].name, scale: s).width }.max() ?? 0
        let boxW = pad + sample + gap + textW + pad
        let boxH = pad + entries.count * rowH - 4 * s + pad
        let margin = 8 * s
        let candidates = [(l.right - margin - boxW, l.top + margin), (l.left + margin, l.top + margin),
                          (l.right - margin - boxW, l.bottom - margin - boxH), (l.left + margin, l.bottom - margin - boxH)]
        let iw = l.right - l.left - 1, ih = l.bottom - l.top - 1
        var best = candidates[0], bestCost = Int.max
        for c in candidates {
            var cost = 0
            let xa = max(0, c.0 - l.left - 1), xb = min(iw, c.0 - l.left - 1 + boxW)
            let ya = max(0, c.1 - l.top - 1), yb = min(ih, c.1 - l.top - 1 + boxH)
            if xa < xb && ya < yb {
                for y in ya..<yb { for x in xa..<xb where occupancy[y * iw + x] { cost += 1 } }
            }
            if cost < bestCost { best = c; bestCost = cost }
        }
        let (bx, by) = best
        image.fill(x: bx, y: by, width: boxW, height: boxH, color: Style.legendFill)
        image.fill(x: bx, y: by, width: boxW, height: 1, color: Style.legendBorder)
        image.fill(x: bx, y: by + boxH - 1, width: boxW, height: 1, color: Style.legendBorder)
        image.fill(x: bx, y: by, width: 1, height: boxH, color: Style.legendBorder)
        image.fill(x: bx + boxW - 1, y: by, width: 1, height: boxH, color: Style.legendBorder)
        for (row, index) in entries.enumerated() {
            let y = by + pad + row * rowH
            let mid = y + BitmapFont.glyphHeight * s / 2
            image.fill(x: bx + pad, y: mid - s, width: sample, height: 2 * s, color: color(ofSeries: index))
            image.drawText(series[index].name, x: bx + pad + sample + gap, y: y, scale: s, color: Style.text)
        }
    }
}

extension Image {
    /// Draws `text` rotated a quarter turn counter-clockwise (reading bottom to top), with the
    /// start of the text at the bottom-left corner (x, y).
    mutating func drawTextRotated(_ text: String, x: Int, y: Int, scale: Int, color: RGBA) {
        let (w, h) = BitmapFont.size(of: text, scale: scale)
        guard w > 0, h > 0, var mask = try? Image(width: w, height: h, fill: .black) else { return }
        mask.drawText(text, x: 0, y: 0, scale: scale, color: .white)
        // Mask pixel (mx, my) goes to (x + my, y - mx).
        for my in 0..<h {
            for mx in 0..<w where mask[mx, my].r != 0 {
                fill(x: x + my, y: y - mx, width: 1, height: 1, color: color)
            }
        }
    }
}
