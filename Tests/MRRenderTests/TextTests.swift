import Testing
@testable import MRRender

@Suite struct TextTests {
    @Test func glyphTableIsComplete() {
        #expect(BitmapFont.rows.count == 95 * 7)
        var seen = Set<[UInt8]>()
        for v in 33...126 {                           // every visible glyph has ink and is unique
            let g = Array(BitmapFont.glyph(Unicode.Scalar(UInt8(v))))
            #expect(g.contains { $0 != 0 }, "glyph \(v) is empty")
            #expect(g.allSatisfy { $0 < 32 }, "glyph \(v) is wider than 5 columns")
            #expect(seen.insert(g).inserted, "glyph \(v) duplicates another")
        }
        #expect(BitmapFont.glyph(" ").allSatisfy { $0 == 0 })
        #expect(Array(BitmapFont.glyph("é")) == Array(BitmapFont.glyph("?")))
    }

    @Test func drawsGlyphPixels() throws {
        var img = try Image(width: 20, height: 12, fill: .black)
        img.drawText("T1", x: 1, y: 2, color: .white)
        // 'T': full top row, then the centre column.
        for x in 1...5 { #expect(img[x, 2] == .white) }
        #expect(img[3, 8] == .white && img[1, 8] == .black)
        // '1' starts one advance (6 px) later: its top is the middle column.
        #expect(img[7 + 2, 2] == .white && img[7, 2] == .black)
        var big = try Image(width: 30, height: 30, fill: .black)
        big.drawText("-", x: 0, y: 0, scale: 3, color: RGBA(0, 255, 0))
        #expect(big[0, 9] == RGBA(0, 255, 0) && big[14, 11] == RGBA(0, 255, 0) && big[0, 8] == .black)
        // Clipped at the border without trapping.
        big.drawText("WWWWWWWW\nWWWW", x: 25, y: 25, scale: 2)
    }

    @Test func measuresText() {
        #expect(BitmapFont.size(of: "abc") == (17, 7))
        #expect(BitmapFont.size(of: "ab\nlonger", scale: 2) == ((6 * 6 - 1) * 2, (2 * 9 - 2) * 2))
        #expect(BitmapFont.size(of: "") == (0, 0))
    }

    @Test func formatsNumbers() {
        #expect(TextFormat.fixed(3.14159, decimals: 2) == "3.14")
        #expect(TextFormat.fixed(-0.5, decimals: 2) == "-0.50")
        #expect(TextFormat.fixed(-0.0001, decimals: 2) == "0.00")
        #expect(TextFormat.fixed(2.5, decimals: 0) == "3")
        #expect(TextFormat.fixed(1234.0625, decimals: 3) == "1234.063")
        #expect(TextFormat.fixed(0.05, decimals: 3) == "0.050")
        #expect(TextFormat.fixed(.nan, decimals: 2) == "nan")
        #expect(TextFormat.fixed(-.infinity, decimals: 2) == "-inf")
    }
}

@Suite struct ContactSheetTests {
    @Test func gridLayoutAndCaptions() throws {
        var frames: [ContactSheetFrame] = []
        for k in 0..<5 {
            let img = try Image(width: 40, height: 30, fill: RGBA(UInt8(40 * k), 100, 200))
            frames.append(ContactSheetFrame(image: img, step: k, reward: Double(k) / 3, success: k == 4))
        }
        #expect(frames[1].caption == ["step 1", "reward 0.333", "no success"])
        let style = ContactSheetStyle(columns: 2, spacing: 3)
        let sheet = try ContactSheet.compose(frames, style: style)
        #expect(sheet.width == 2 * (40 + 3) + 3 && sheet.height == 3 * (30 + 3) + 3)
        // Tile k's bottom-right corner keeps the frame's colour (captions sit top-left).
        for k in 0..<5 {
            let x = 3 + (k % 2) * 43, y = 3 + (k / 2) * 33
            #expect(sheet[x + 39, y + 29] == frames[k].image[39, 29])
        }
        // The empty sixth cell and the gaps are background.
        #expect(sheet[3 + 43 + 20, 3 + 66 + 15] == style.background)
        #expect(sheet[1, 1] == style.background)
        // The caption put white ink into the first tile's top-left corner.
        var ink = 0
        for y in 3..<(3 + 28) { for x in 3..<(3 + 40) where sheet[x, y] == .white { ink += 1 } }
        #expect(ink > 60)
    }

    @Test func filmstripResizesAndPlacesCaptionsBelow() throws {
        let a = try Image(width: 32, height: 32, fill: .white)
        let b = try Image(width: 64, height: 64, fill: .black)
        let style = ContactSheetStyle(spacing: 0, textScale: 1, captionPlacement: .below)
        let strip = try ContactSheet.filmstrip([ContactSheetFrame(image: a, caption: ["a"]),
                                                ContactSheetFrame(image: b, caption: ["b", "2"])], style: style)
        #expect(strip.width == 64 && strip.height == 32 + 2 * 9 + 2)
        #expect(strip[40, 10] == .black)              // b shrunk to the first frame's 32×32
    }

    @Test func rejectsBadInput() throws {
        #expect(throws: RenderError.self) { try ContactSheet.compose([]) }
        let f = ContactSheetFrame(image: try Image(width: 4, height: 4), caption: [])
        #expect(throws: RenderError.self) { try ContactSheet.compose([f], style: ContactSheetStyle(columns: 0)) }
        #expect(throws: RenderError.self) { try ContactSheet.compose([f], style: ContactSheetStyle(tileWidth: 0)) }
        #expect(throws: RenderError.self) { try ContactSheet.compose([f], style: ContactSheetStyle(textScale: 0)) }
    }
}
