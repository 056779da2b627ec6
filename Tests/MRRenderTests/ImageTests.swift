import Testing
@testable import MRRender

@Suite struct ImageTests {
    @Test func rejectsBadSizes() throws {
        for (w, h) in [(0, 10), (10, 0), (-5, 5), (100_000, 10), (10, 100_000), (16_384, 16_384)] {
            #expect(throws: RenderError.self) { try Image(width: w, height: h) }
            #expect(throws: RenderError.self) { try Image.validateSize(width: w, height: h) }
        }
        do {
            _ = try Image(width: 100_000, height: 100_000)
            Issue.record("expected an error")
        } catch let e as RenderError {
            guard case .invalidSize = e else { Issue.record("wrong error \(e)"); return }
            #expect(e.description.contains("100000×100000"))
        }
        #expect(throws: RenderError.self) { try Image(width: 2, height: 2, pixels: [0, 0, 0]) }
        let ok = try Image(width: 16_384, height: 1)
        #expect(ok.pixels.count == 16_384 * 4)
    }

    @Test func pixelAccessAndFill() throws {
        var img = try Image(width: 4, height: 3, fill: RGBA(1, 2, 3, 4))
        #expect(img[3, 2] == RGBA(1, 2, 3, 4))
        #expect(img.pixel(x: 4, y: 0) == nil)
        img[1, 1] = RGBA(200, 100, 50)
        #expect(Array(img.pixels[(1 * 4 + 1) * 4..<(1 * 4 + 1) * 4 + 4]) == [200, 100, 50, 255])
        var base = try Image(width: 2, height: 1, fill: .black)
        base.fill(x: 0, y: 0, width: 1, height: 1, color: RGBA(255, 255, 255, 128))
        #expect(base[0, 0] == RGBA(128, 128, 128, 255))
        #expect(base[1, 0] == .black)
        base.fill(x: -10, y: -10, width: 5, height: 5, color: .white)   // fully outside: no effect, no trap
        #expect(base[0, 0] == RGBA(128, 128, 128, 255))
    }

    @Test func drawAndResize() throws {
        var dst = try Image(width: 6, height: 6, fill: .black)
        let src = try Image(width: 4, height: 4, fill: .white)
        dst.draw(src, x: 4, y: -2)                    // clipped to a 2×2 corner
        #expect(dst[4, 0] == .white && dst[5, 1] == .white)
        #expect(dst[3, 0] == .black && dst[4, 2] == .black)
        var checker = try Image(width: 4, height: 4, fill: .black)
        for y in 0..<4 { for x in 0..<4 where (x + y) % 2 == 0 { checker[x, y] = .white } }
        let half = try checker.resized(width: 2, height: 2)
        #expect(half[0, 0] == RGBA(128, 128, 128, 255))      // (2·255 + 2·0 + 2) / 4 = 128
        let up = try half.resized(width: 4, height: 4)
        #expect(up[3, 3] == half[1, 1])
        #expect(throws: RenderError.self) { try half.resized(width: 0, height: 4) }
    }

    @Test func meanAbsoluteDifference() throws {
        let a = try Image(width: 2, height: 2, fill: RGBA(10, 10, 10, 10))
        let b = try Image(width: 2, height: 2, fill: RGBA(14, 10, 10, 10))
        #expect(a.meanAbsoluteDifference(to: b) == 1.0)
        #expect(a.meanAbsoluteDifference(to: try Image(width: 3, height: 2)) == nil)
    }

    @Test func colourConversions() {
        #expect(RGBA(red: 1, green: 0.5, blue: -3, alpha: .nan) == RGBA(255, 128, 0, 0))
        #expect(RGBA(packed: RGBA(1, 2, 3, 4).packed) == RGBA(1, 2, 3, 4))
        #expect(RGBA(1, 2, 3, 4).packed == 0x0403_0201)
    }
}
