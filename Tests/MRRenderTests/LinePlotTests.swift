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
