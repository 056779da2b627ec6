import Foundation
import Testing
@testable import MRRender

/// Axis ticks: "nice" steps (1, 2, 5 × 10^k), exact tick values and compact labels.
@Suite struct AxisTicksTests {
    @Test func niceSteps() {
        #expect(AxisTicks.niceStep(span: 10, count: 5) == (2, 0))
        #expect(AxisTicks.niceStep(span: 1, count: 10) == (1, -1))
        #expect(AxisTicks.niceStep(span: 3_000_000, count: 6) == (5, 5))
        #expect(AxisTicks.niceStep(span: 580, count: 8) == (1, 2))
        #expect(AxisTicks.niceStep(span: 0.0035, count: 4) == (1, -3))
        #expect(AxisTicks.niceStep(span: 7, count: 2) == (5, 0))
        #expect(AxisTicks.nextStep((5, 2)) == (1, 3) && AxisTicks.nextStep((1, 2)) == (2, 2))
    }

    @Test func niceTicks() {
        let steps = AxisTicks.ticks(from: 0, to: 2_000_000, count: 5)
        #expect(steps.values == [0, 500_000, 1_000_000, 1_500_000, 2_000_000])
        #expect(steps.labels == ["0", "500k", "1M", "1.5M", "2M"])

        let unit = AxisTicks.ticks(from: 0, to: 1, count: 5)
        #expect(unit.values == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(unit.labels == ["0", "0.2", "0.4", "0.6", "0.8", "1"])

        let signed = AxisTicks.ticks(from: -0.37, to: 0.92, count: 10)
        #expect(signed.values == [-0.2, 0, 0.2, 0.4, 0.6, 0.8])
        #expect(signed.labels == ["-0.2", "0", "0.2", "0.4", "0.6", "0.8"])

        let small = AxisTicks.ticks(from: 0.0012, to: 0.0047, count: 4)
        #expect(small.values == [0.002, 0.003, 0.004])
        #expect(small.labels == ["2e-3", "3e-3", "4e-3"])

        let returns = AxisTicks.ticks(from: -55, to: 525, count: 8)
        #expect(returns.values == [0, 100, 200, 300, 400, 500])
        #expect(returns.labels == ["0", "100", "200", "300", "400", "500"])

        let thousands = AxisTicks.ticks(from: 0, to: 25_000, count: 5)
        #expect(thousands.values == [0, 5000, 10_000, 15_000, 20_000, 25_000])
        #expect(thousands.labels == ["0", "5k", "10k", "15k", "20k", "25k"])

        #expect(AxisTicks.ticks(from: 0, to: 2000, count: 4).labels == ["0", "500", "1000", "1500", "2000"])
        // Ends that are multiples of the step within rounding are kept.
        #expect(AxisTicks.ticks(from: 0.1 + 0.2, to: 0.7, count: 4).values == [0.3, 0.4, 0.5, 0.6, 0.7])
    }

    @Test func ticksFitTheAxisLength() {
        // 500k steps would be 75 px apart, closer than the 100 px the labels need: 1M steps.
        let wide = AxisTicks.ticks(from: 0, to: 2_000_000, pixels: 300, minSpacing: { _ in 100 }, targetSpacing: 50)
        #expect(wide.values == [0, 1_000_000, 2_000_000] && wide.labels == ["0", "1M", "2M"])
        // A 0.5 step leaves one tick in 2.67...3.33: refined to 0.2.
        let narrow = AxisTicks.ticks(from: 2.67, to: 3.33, pixels: 150, minSpacing: { _ in 18 }, targetSpacing: 50)
        #expect(narrow.values == [2.8, 3, 3.2] && narrow.labels == ["2.8", "3", "3.2"])
    }

    @Test func tickLabels() {
        #expect(AxisTicks.formatTicks([0, 25, 50], exponent: 5) == ["0", "2.5M", "5M"])
        #expect(AxisTicks.formatTicks([-5, 0, 5], exponent: 5) == ["-500k", "0", "500k"])
        #expect(AxisTicks.formatTicks([0, 25, 50, 75, 100], exponent: -2) == ["0", "0.25", "0.5", "0.75", "1"])
        #expect(AxisTicks.formatTicks([0, 1, 2], exponent: -3) == ["0", "1e-3", "2e-3"])
        #expect(AxisTicks.formatTicks([25, -5], exponent: -5) == ["2.5e-4", "-5e-5"])
        #expect(AxisTicks.formatTicks([5, 10], exponent: 12) == ["5T", "10T"])
        #expect(AxisTicks.formatTicks([1, 2], exponent: 15) == ["1e15", "2e15"])
        #expect(AxisTicks.formatTicks([12, 14], exponent: 8) == ["1.2G", "1.4G"])
        // Suffixes would need three decimals: plain digits instead.
        #expect(AxisTicks.formatTicks([100_001, 100_002], exponent: 0) == ["100001", "100002"])
        #expect(AxisTicks.formatTicks([5, 10, 15], exponent: -3) == ["0.005", "0.01", "0.015"])
        #expect(AxisTicks.decimal(-125, exponent: -1) == "-12.5" && AxisTicks.decimal(3, exponent: 2) == "300")
    }
}

@Suite struct LinePlotTests {
    /// Learning curves over 2M environment steps: "train return" rising noisily (a point every 5k
    /// steps) and "eval return" held between evaluations every 100k steps. Deterministic (LCG noise).
    static func learningCurves() -> LinePlot {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func noise() -> Double {                                 // uniform in [-1, 1)
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 52) - 1
        }
        var train: [(x: Double, y: Double)] = []
        for i in 0...400 {
            let x = Double(i) * 5000
            train.append((x, 450 * (1 - exp(-x / 600_000)) - 40 + 35 * noise()))
        }
        var eval: [(x: Double, y: Double)] = []
        var level = -30.0
        for i in 0..<20 {
            let x = Double(i) * 100_000
            eval.append((x, level)); eval.append((x + 100_000, level))
            level = 470 * (1 - exp(-Double(i + 1) * 100_000 / 500_000)) - 30 + 15 * noise()
        }
        return LinePlot(title: "pick-place-v1 SAC", xLabel: "environment steps", yLabel: "episode return",
                        series: [PlotSeries(name: "train return", points: train),
                                 PlotSeries(name: "eval return", points: eval)])
    }

    /// True when the pixel at `p` is not background and `color` itself is in its 3×3 neighbourhood:
    /// a 2 px anti-aliased line through `p` covers the nearest pixel centre fully only when the
    /// line passes within 0.5 px of it, and rounding to a pixel can put it up to 0.71 px away.
    static func shows(_ color: RGBA, at p: (x: Int, y: Int), in image: Image) -> Bool {
        guard image[p.x, p.y] != .white else { return false }
        for dy in -1...1 { for dx in -1...1 where image.pixel(x: p.x + dx, y: p.y + dy) == color { return true } }
        return false
    }

    @Test func seriesColourAtDataLocations() throws {
        let red = RGBA(200, 0, 0)
        var plot = LinePlot(title: "t", xLabel: "x", yLabel: "y", series: [
            PlotSeries(name: "rising", points: (0...10).map { (Double($0), Double($0)) }, color: red),
            PlotSeries(name: "flat", points: [(0, 8), (4, 8)]),
        ])
        plot.width = 400; plot.height = 300
        let image = try plot.render()
        let layout = try plot.layout()
        for x in [0.5, 2.5, 5, 6.5, 9.5] {
            #expect(Self.shows(red, at: layout.pixel(x: x, y: x), in: image), "rising at \(x)")
        }
        let flat = layout.pixel(x: 2, y: 8)
        #expect(image[flat.x, flat.y] == LinePlot.palette[1])                 // palette by series index
        // Away from the lines: background.
        for (x, y) in [(8.0, 2.5), (7.0, 1.5), (2.7, 6.3)] {
            let p = layout.pixel(x: x, y: y)
            #expect(image[p.x, p.y] == .white, "background at \(x), \(y)")
        }
        // Lines are at least 2 px thick: the pixels above and below a point of the flat line.
        #expect(image[flat.x, flat.y - 1] != .white || image[flat.x, flat.y + 1] != .white)
        // Outside the frame nothing is drawn in the series colour.
        #expect(image[layout.left - 2, layout.pixel(x: 0, y: 0).y] != red)
    }

    @Test func mappingCoversTheFrame() throws {
        var plot = LinePlot(title: "", xLabel: "", yLabel: "", series: [PlotSeries(name: "", points: [(0, 0), (10, 1)])])
        plot.width = 300; plot.height = 200
        let l = try plot.layout()
        #expect(l.xMin == 0 && l.xMax == 10)                                  // x: exact data range
        #expect(abs(l.yMin - -0.05) < 1e-12 && abs(l.yMax - 1.05) < 1e-12)     // y: 5% headroom
        #expect(l.pixel(x: 0, y: l.yMin) == (l.left, l.bottom))
        #expect(l.pixel(x: 10, y: l.yMax) == (l.right, l.top))
        #expect(l.right < plot.width && l.bottom < plot.height && l.left > 0 && l.top > 0)
    }

    @Test func nonFinitePointsBreakTheLine() throws {
        let c = RGBA(0, 90, 200)
        var plot = LinePlot(title: "gaps", xLabel: "", yLabel: "", series: [
            PlotSeries(name: "", points: [(0, 0), (1, 1), (2, .nan), (3, 3), (4, 4), (.infinity, 5), (6, 6),
                                          (7, -.infinity), (8, 8), (9, 9), (10, 10)], color: c),
        ])
        plot.width = 400; plot.height = 300
        let image = try plot.render()
        let l = try plot.layout()
        #expect(l.xMin == 0 && l.xMax == 10 && l.yMax < 11)
        func shows(_ v: Double) -> Bool { Self.shows(c, at: l.pixel(x: v, y: v), in: image) }
        func blank(_ v: Double) -> Bool {                                     // background or grid
            let p = l.pixel(x: v, y: v)
            return image[p.x, p.y] == .white || image[p.x, p.y] == LinePlot.Style.grid
        }
        #expect(shows(0.5) && shows(3.5) && shows(9))
        #expect(blank(2) && blank(5) && blank(7))                             // gaps
        #expect(shows(6) && image[l.pixel(x: 6, y: 6).x, l.pixel(x: 6, y: 6).y] == c)   // lone point: a marker
        // Points beyond ±1e100 are skipped like infinities instead of collapsing the range.
        plot.series[0].points.append((11, 1e300))
        let l2 = try plot.layout()
        #expect(l2.xMax == 10 && l2.yMax < 11)
        _ = try plot.render()
    }

    @Test func emptyAndAllNaNDataSayNoData() throws {
        for series in [[], [PlotSeries(name: "nothing", points: [])],
                       [PlotSeries(name: "nan", points: [(.nan, 1), (2, .nan), (.infinity, .infinity)])]] {
            var plot = LinePlot(title: "empty", xLabel: "steps", yLabel: "return", series: series)
            plot.width = 300; plot.height = 200
            let image = try plot.render()
            let l = try plot.layout()
            #expect(!l.hasData && l.xMin == 0 && l.xMax == 1)
            var grey = 0
            for y in l.top..<l.bottom { for x in l.left..<l.right where image[x, y] == LinePlot.Style.noData { grey += 1 } }
            #expect(grey > 40, "\"no data\" text drawn")
        }
    }

    @Test func singlePointAndConstantSeriesGetARange() throws {
        let c = RGBA(10, 150, 10)
        var plot = LinePlot(title: "", xLabel: "", yLabel: "", series: [PlotSeries(name: "one", points: [(5, 3)], color: c)])
        plot.width = 300; plot.height = 200
        var l = try plot.layout()
        #expect(abs(l.xMin - 4.5) < 1e-12 && abs(l.xMax - 5.5) < 1e-12)    // ±10%
        #expect(l.yMin < 2.71 && l.yMax > 3.29 && l.yTicks.values.count >= 2)
        let image = try plot.render()
        let p = l.pixel(x: 5, y: 3)
        #expect(image[p.x, p.y] == c && image[p.x + 2, p.y] == c && image[p.x + 6, p.y] != c)   // a disc of radius 3

        plot.series = [PlotSeries(name: "zero", points: [(0, 0), (1, 0), (2, 0)])]
        l = try plot.layout()
        #expect(l.yMin <= -1 && l.yMax >= 1 && l.yTicks.values.contains(0))  // ±1 around zero
        plot.series = [PlotSeries(name: "const", points: [(0, 250), (1, 250)])]
        l = try plot.layout()
        #expect(l.yMin <= 225 && l.yMax >= 275 && l.yMin > 200)
        _ = try plot.render()
    }

    @Test func rejectsBadSizes() {
        for (w, h) in [(100, 300), (300, 100), (0, 0), (-5, 300), (20_000, 300), (16_384, 16_384)] {
            var plot = LinePlot(title: "", xLabel: "", yLabel: "", series: [])
            plot.width = w; plot.height = h
            #expect(throws: RenderError.self) { try plot.render() }
        }
    }

    @Test func deterministicBytes() throws {
        let plot = Self.learningCurves()
        #expect(try PNG.encode(plot.render()) == PNG.encode(plot.render()))
    }

    @Test func legendAvoidsTheData() throws {
        // A plateau along the top from the middle on: the upper-right corner is taken, so the
        // legend goes to the upper left; a falling line moves it to the upper right.
        var plot = LinePlot(title: "", xLabel: "", yLabel: "", series: [
            PlotSeries(name: "a long series name", points: (0...20).map { (Double($0), Double(min($0, 10))) }),
        ])
        var image = try plot.render()
        let l = try plot.layout()
        let m = 8 * l.scale
        #expect(image[l.left + m, l.top + m] == LinePlot.Style.legendBorder)
        #expect(image[l.right - m - 1, l.top + m] == .white)
        plot.series[0].points = (0...20).map { (Double($0), Double(20 - $0)) }
        image = try plot.render()
        let l2 = try plot.layout()
        #expect(image[l2.right - m - 1, l2.top + m] == LinePlot.Style.legendBorder)
        #expect(image[l2.left + m, l2.top + m] != LinePlot.Style.legendBorder)
    }

    @Test func goldenLearningCurves() throws {
        try GoldenTests.check(try Self.learningCurves().render(), against: "line-plot")
    }
}

