import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import FrontlineTestSupport
import Testing

/// The page in a real browser: `frontline serve` started as a user would (a subprocess on a free
/// loopback port), Debian's headless Chromium driven through chromedriver (W3C WebDriver, plain
/// HTTP and JSON). Set FRONTLINE_SCREENSHOTS=DIR to keep the screenshots.
enum Browser {
    static let chromium = "/usr/bin/chromium"
    static let driver = "/usr/bin/chromedriver"
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: chromium) && FileManager.default.isExecutableFile(atPath: driver)
    }
}

struct BrowserError: Error, CustomStringConvertible { let description: String }

/// A started process, stopped by its PID when the test ends.
final class Child {
    let process = Process()
    private let output = Pipe()
    private var lines: [String] = []
    private let lock = NSLock()

    init(_ path: String, _ args: [String]) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        process.standardOutput = output
        process.standardError = output
        output.fileHandleForReading.readabilityHandler = { [weak self] h in
            let text = String(decoding: h.availableData, as: UTF8.self)
            guard let self, !text.isEmpty else { return }
            self.lock.lock(); self.lines.append(text); self.lock.unlock()
        }
        try process.run()
    }

    var printed: String { lock.lock(); defer { lock.unlock() }; return lines.joined() }

    /// Waits until the output matches `pattern`; returns the first capture group.
    func waitFor(_ pattern: String, seconds: Double) throws -> String {
        let regex = try NSRegularExpression(pattern: pattern)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let text = printed
            if let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
               let r = Range(m.range(at: 1), in: text) { return String(text[r]) }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw BrowserError(description: "no match for \(pattern) in: \(printed)")
    }

    func stop() {
        output.fileHandleForReading.readabilityHandler = nil
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
    }
}

/// A free TCP port on loopback, from the system.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    guard ok else { throw BrowserError(description: "no free port") }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// The few WebDriver commands the test needs.
struct WebDriver {
    let base: String
    var session = ""

    func call(_ method: String, _ path: String, _ body: Any? = nil) async throws -> Any? {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.timeoutInterval = 60
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, _) = try await URLSession.shared.data(for: request)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        if let value = object?["value"] as? [String: Any], let error = value["error"] as? String {
            throw BrowserError(description: "\(method) \(path): \(error): \(value["message"] ?? "")")
        }
        return object?["value"]
    }

    mutating func start(size: (Int, Int)) async throws {
        let caps: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": ["binary": Browser.chromium,
                                   "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                            "--hide-scrollbars", "--window-size=\(size.0),\(size.1)", "--lang=en-GB"]],
        ]]]
        let value = try await call("POST", "/session", caps) as? [String: Any]
        session = try #require(value?["sessionId"] as? String)
    }

    func go(_ url: String) async throws { _ = try await call("POST", "/session/\(session)/url", ["url": url]) }

    @discardableResult
    func script(_ js: String, _ args: [Any] = []) async throws -> Any? {
        try await call("POST", "/session/\(session)/execute/sync", ["script": js, "args": args])
    }

    func element(_ css: String) async throws -> String {
        let v = try await call("POST", "/session/\(session)/element", ["using": "css selector", "value": css]) as? [String: Any]
        return try #require(v?.values.first as? String)
    }

    func click(_ css: String) async throws { _ = try await call("POST", "/session/\(session)/element/\(try await element(css))/click", [:]) }

    func keys(_ css: String, _ text: String) async throws {
        _ = try await call("POST", "/session/\(session)/element/\(try await element(css))/value", ["text": text])
    }

    /// A real mouse click at (x, y) from the top left of the element.
    func click(_ css: String, x: Double, y: Double) async throws {
        let el = try await element(css)
        // W3C pointer offsets are from the element's centre.
        let rect = try #require(try await call("GET", "/session/\(session)/element/\(el)/rect") as? [String: Any])
        let w = (rect["width"] as? Double) ?? 0, h = (rect["height"] as? Double) ?? 0
        let origin: [String: Any] = ["element-6066-11e4-a52e-4f735466cecf": el]
        let actions: [String: Any] = ["actions": [["type": "pointer", "id": "mouse", "parameters": ["pointerType": "mouse"], "actions": [
            ["type": "pointerMove", "duration": 0, "origin": origin, "x": Int(x - w / 2), "y": Int(y - h / 2)],
            ["type": "pointerMove", "duration": 100, "origin": origin, "x": Int(x - w / 2), "y": Int(y - h / 2)],
            ["type": "pointerDown", "button": 0],
            ["type": "pointerUp", "button": 0],
        ]]]]
        _ = try await call("POST", "/session/\(session)/actions", actions)
    }

    func screenshot() async throws -> Data {
        let b64 = try #require(try await call("GET", "/session/\(session)/screenshot") as? String)
        return try #require(Data(base64Encoded: b64))
    }

    /// Polls `js` (which returns a value or null) until it returns a truthy value.
    @discardableResult
    func wait(_ what: String, seconds: Double = 60, _ js: String) async throws -> Any {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let v = try await script(js), !(v is NSNull), (v as? Bool) != false { return v }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw BrowserError(description: "timed out waiting for \(what)")
    }

    func quit() async { _ = try? await call("DELETE", "/session/\(session)") }
}

@Suite(.serialized) struct BrowserTests {
    /// The map of `date` is on screen and the legend has its rows.
    static func mapLoaded(_ date: String) -> String {
        """
        const img = document.getElementById('map-img');
        const rows = document.querySelectorAll('#legend tbody tr').length;
        return img.complete && img.naturalWidth > 0 && img.dataset.date === '\(date)' && rows > 0
          ? { date: document.getElementById('title-date').textContent, src: img.src, rows: rows } : null;
        """
    }

    @Test(.enabled(if: Browser.available, "skipped: Chromium is not installed (apt-get install chromium chromium-driver)"))
    func thePageInHeadlessChromium() async throws {
        let server = try Child(FrontlineBinary.path, ["serve", "--port", "0", "--data", Fixtures.geodata])
        defer { server.stop() }
        let url = try server.waitFor("(http://127\\.0\\.0\\.1:[0-9]+/)", seconds: 30)
        let port = try freePort()
        let driver = try Child(Browser.driver, ["--port=\(port)"])
        defer { driver.stop() }
        _ = try driver.waitFor("(ChromeDriver was started successfully|started successfully)", seconds: 20)
        var web = WebDriver(base: "http://127.0.0.1:\(port)")
        try await web.start(size: (1400, 950))
        do {
            try await drive(web, url: url)
        } catch {
            await web.quit()
            throw error
        }
        await web.quit()
    }

    func drive(_ web: WebDriver, url: String) async throws {
        let shots = ProcessInfo.processInfo.environment["FRONTLINE_SCREENSHOTS"] ?? Fixtures.temporaryDirectory("frontline-browser")

        // The page opens on a day, draws its map and fills the legend with areas.
        try await web.go(url + "?date=2017-10-17")
        let first = try #require(try await web.wait("the first map", Self.mapLoaded("2017-10-17")) as? [String: Any])
        #expect(first["date"] as? String == "17 October 2017")
        let legend = try #require(try await web.script("return [...document.querySelectorAll('#legend tbody tr')].map(r => r.textContent).join('|')") as? String)
        #expect(legend.contains("Islamic State"), "\(legend)")
        #expect(legend.range(of: "[0-9]{1,3},[0-9]{3}", options: .regularExpression) != nil, "areas in km²: \(legend)")
        let natural = try #require(try await web.script("const i = document.getElementById('map-img'); return [i.naturalWidth, i.naturalHeight, i.clientWidth, i.clientHeight]") as? [Int])
        #expect(natural[0] == natural[2] && natural[1] == natural[3], "drawn at screen resolution: \(natural)")
        try web.save(try await web.screenshot(), to: shots + "/serve-2017-10-17.png")

        // The slider, moved with the keyboard: the title and the map follow.
        try await web.keys("#slider", "\u{E014}\u{E014}\u{E014}")
        let moved = try #require(try await web.wait("the map three days later", Self.mapLoaded("2017-10-20")) as? [String: Any])
        #expect(moved["date"] as? String == "20 October 2017")
        #expect(moved["src"] as? String != first["src"] as? String)
        #expect((moved["src"] as? String)?.contains("date=2017-10-20") == true)

        // A click on Raqqa: who held it, since when, and the source of that event.
        let raqqa = try #require(try await web.wait("town positions", "return state.view && state.places ? cssPoint('raqqa') : null") as? [Double])
        try await web.click("#map", x: raqqa[0], y: raqqa[1])
        let link = try #require(try await web.wait("Raqqa's source", "const a = document.getElementById('place-source'); return a ? [document.querySelector('#place h3').textContent, a.href, document.querySelectorAll('#place tbody tr').length] : null") as? [Any])
        #expect(link[0] as? String == "Raqqa")
        #expect((link[1] as? String)?.hasPrefix("http") == true)
        #expect((link[2] as? Int ?? 0) >= 2, "the whole history")
        try web.save(try await web.screenshot(), to: shots + "/serve-raqqa.png")

        // Compare mode: the change map and the towns that changed hands, each with a source.
        try await web.script("document.getElementById('compare-date').value = '2017-06-01'")
        try await web.click("#compare-on")
        let changes = try #require(try await web.wait("the change list", """
            const img = document.getElementById('map-img');
            const rows = [...document.querySelectorAll('#changes tbody tr')];
            return !document.getElementById('compare-result').hidden && rows.length > 0 && img.complete && img.src.includes('compare=2017-06-01')
              ? [rows.length, rows.every(r => r.querySelector('a[href^="http"]') !== null)] : null
            """) as? [Any])
        #expect((changes[0] as? Int ?? 0) > 10)
        #expect(changes[1] as? Bool == true)
        try web.save(try await web.screenshot(), to: shots + "/serve-compare.png")

        // Zoom in with the button: a new region, drawn again.
        try await web.click("#zoom-in")
        _ = try await web.wait("the zoomed map", "const i = document.getElementById('map-img'); return i.complete && /region=[0-9.]+%2C/.test(i.src) ? i.src : null")

        // The permalink reopens the same view.
        let permalink = try #require(try await web.script("return document.getElementById('permalink').href") as? String)
        #expect(permalink.contains("compare=2017-06-01") && permalink.contains("region=") && permalink.contains("date=2017-10-20"))
        try await web.go("about:blank")
        try await web.go(permalink)
        let reopened = try #require(try await web.wait("the permalink", """
            const img = document.getElementById('map-img');
            return img.complete && img.naturalWidth > 0 && document.getElementById('compare-on').checked
              ? [document.getElementById('title-date').textContent, img.src] : null
            """) as? [String])
        #expect(reopened[0] == "1 June 2017 → 20 October 2017")
        #expect(reopened[1].contains("compare=2017-06-01") && reopened[1].contains("region="))
    }
}

extension WebDriver {
    func save(_ png: Data, to path: String) throws {
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        try png.write(to: URL(fileURLWithPath: path))
    }
}
