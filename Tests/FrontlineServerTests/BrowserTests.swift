import Foundation
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
            guard let self else { return }
            if text.isEmpty { h.readabilityHandler = nil; return }
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
        let pid = process.processIdentifier
        if process.isRunning { kill(pid, SIGTERM) }
        // chromedriver may ignore SIGTERM; Process.waitUntilExit spins on Linux, so poll.
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(pid, SIGKILL) }
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

/// One HTTP/1.1 exchange on loopback over a plain socket (URLSession on Linux is not reliable
/// enough for this), with `Connection: close` so the answer ends at end of stream.
func httpExchange(port: Int, method: String, path: String, body: Data?) throws -> Data {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw BrowserError(description: "socket: \(errno)") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = UInt16(port).bigEndian
    let connected = withUnsafePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
    guard connected else { throw BrowserError(description: "cannot connect to 127.0.0.1:\(port)") }
    var request = Data("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n".utf8)
    if let body { request += Data("Content-Type: application/json\r\nContent-Length: \(body.count)\r\n".utf8) }
    request += Data("\r\n".utf8)
    if let body { request += body }
    try request.withUnsafeBytes { raw in
        var sent = 0
        while sent < raw.count {
            let n = send(fd, raw.baseAddress! + sent, raw.count - sent, 0)
            guard n > 0 else { throw BrowserError(description: "send failed") }
            sent += n
        }
    }
    // Never wait for ever: a minute per read at most.
    var timeout = timeval(tv_sec: 60, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var response = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    // chromedriver keeps the connection open, so the answer ends where its length says.
    func complete() -> Bool {
        guard let split = response.range(of: Data("\r\n\r\n".utf8)) else { return false }
        let head = String(decoding: response[..<split.lowerBound], as: UTF8.self).lowercased()
        if let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
           let n = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) {
            return response.count - split.upperBound >= n
        }
        if head.contains("transfer-encoding: chunked") { return response.range(of: Data("\r\n0\r\n\r\n".utf8)) != nil }
        return false
    }
    while !complete() {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { break }
        response.append(contentsOf: buffer[0..<n])
    }
    guard let split = response.range(of: Data("\r\n\r\n".utf8)) else { throw BrowserError(description: "no HTTP answer to \(method) \(path)") }
    let head = String(decoding: response[..<split.lowerBound], as: UTF8.self).lowercased()
    var payload = Data(response[split.upperBound...])
    if head.contains("transfer-encoding: chunked") {
        var out = Data(), rest = payload
        while let line = rest.range(of: Data("\r\n".utf8)),
              let size = Int(String(decoding: rest[..<line.lowerBound], as: UTF8.self), radix: 16), size > 0 {
            let start = line.upperBound
            out += rest[start..<(start + size)]
            rest = Data(rest[(start + size + 2)...])
        }
        payload = out
    }
    return payload
}

/// The few WebDriver commands the test needs.
struct WebDriver {
    let port: Int
    var session = ""

    @discardableResult
    func call(_ method: String, _ path: String, _ body: Any? = nil) throws -> Any? {
        let data = try httpExchange(port: port, method: method, path: path,
                                    body: try body.map { try JSONSerialization.data(withJSONObject: $0) })
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        if let value = object?["value"] as? [String: Any], let error = value["error"] as? String {
            throw BrowserError(description: "\(method) \(path): \(error): \(value["message"] ?? "")")
        }
        return object?["value"]
    }

    mutating func start(size: (Int, Int)) throws {
        let caps: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": ["binary": Browser.chromium,
                                   "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                            "--hide-scrollbars", "--window-size=\(size.0),\(size.1)", "--lang=en-GB"]],
        ]]]
        let value = try call("POST", "/session", caps) as? [String: Any]
        session = try #require(value?["sessionId"] as? String)
    }

    func go(_ url: String) throws { try call("POST", "/session/\(session)/url", ["url": url]) }

    @discardableResult
    func script(_ js: String) throws -> Any? {
        try call("POST", "/session/\(session)/execute/sync", ["script": js, "args": [Any]()])
    }

    func element(_ css: String) throws -> String {
        let v = try call("POST", "/session/\(session)/element", ["using": "css selector", "value": css]) as? [String: Any]
        return try #require(v?.values.first as? String)
    }

    func click(_ css: String) throws { try call("POST", "/session/\(session)/element/\(try element(css))/click", [String: Any]()) }

    func keys(_ css: String, _ text: String) throws {
        try call("POST", "/session/\(session)/element/\(try element(css))/value", ["text": text])
    }

    /// A real mouse click at (x, y) from the top left of the element.
    func click(_ css: String, x: Double, y: Double) throws {
        let el = try element(css)
        // W3C pointer offsets are from the element's centre.
        let rect = try #require(try call("GET", "/session/\(session)/element/\(el)/rect") as? [String: Any])
        let w = (rect["width"] as? Double) ?? 0, h = (rect["height"] as? Double) ?? 0
        let origin: [String: Any] = ["element-6066-11e4-a52e-4f735466cecf": el]
        let move: [String: Any] = ["type": "pointerMove", "duration": 100, "origin": origin, "x": Int(x - w / 2), "y": Int(y - h / 2)]
        let actions: [String: Any] = ["actions": [["type": "pointer", "id": "mouse", "parameters": ["pointerType": "mouse"], "actions": [
            move, ["type": "pointerDown", "button": 0], ["type": "pointerUp", "button": 0],
        ]]]]
        try call("POST", "/session/\(session)/actions", actions)
    }

    func screenshot() throws -> Data {
        let b64 = try #require(try call("GET", "/session/\(session)/screenshot") as? String)
        return try #require(Data(base64Encoded: b64))
    }

    /// Polls `js` (which returns a value or null) until it returns a truthy value.
    @discardableResult
    func wait(_ what: String, seconds: Double = 60, _ js: String) throws -> Any {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let v = try script(js), !(v is NSNull), (v as? Bool) != false { return v }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw BrowserError(description: "timed out waiting for \(what)")
    }

    func quit() { _ = try? call("DELETE", "/session/\(session)") }

    func save(_ png: Data, to path: String) throws {
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        try png.write(to: URL(fileURLWithPath: path))
    }
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
    func thePageInHeadlessChromium() throws {
        let server = try Child(FrontlineBinary.path, ["serve", "--port", "0", "--data", Fixtures.geodata])
        defer { server.stop() }
        let url = try server.waitFor("(http://127\\.0\\.0\\.1:[0-9]+/)", seconds: 30)
        let port = try freePort()
        let driver = try Child(Browser.driver, ["--port=\(port)"])
        defer { driver.stop() }
        _ = try driver.waitFor("(ChromeDriver was started successfully|started successfully)", seconds: 20)
        var web = WebDriver(port: port)
        try web.start(size: (1400, 950))
        do {
            try drive(web, url: url)
        } catch {
            web.quit()
            throw error
        }
        web.quit()
    }

    func drive(_ web: WebDriver, url: String) throws {
        let shots = ProcessInfo.processInfo.environment["FRONTLINE_SCREENSHOTS"] ?? Fixtures.temporaryDirectory("frontline-browser")

        // The page opens on a day, draws its map and fills the legend with areas.
        try web.go(url + "?date=2017-10-17")
        let first = try #require(try web.wait("the first map", Self.mapLoaded("2017-10-17")) as? [String: Any])
        #expect(first["date"] as? String == "17 October 2017")
        let legend = try #require(try web.script("return [...document.querySelectorAll('#legend tbody tr')].map(r => r.textContent).join('|')") as? String)
        #expect(legend.contains("Islamic State"), "\(legend)")
        #expect(legend.range(of: "[0-9]{1,3},[0-9]{3}", options: .regularExpression) != nil, "areas in km²: \(legend)")
        let natural = try #require(try web.script("const i = document.getElementById('map-img'); return [i.naturalWidth, i.naturalHeight, i.clientWidth, i.clientHeight]") as? [Int])
        #expect(natural[0] == natural[2] && natural[1] == natural[3], "drawn at screen resolution: \(natural)")
        try web.save(try web.screenshot(), to: shots + "/serve-2017-10-17.png")

        // The slider, moved with the keyboard: the title and the map follow.
        try web.keys("#slider", "\u{E014}\u{E014}\u{E014}")
        let moved = try #require(try web.wait("the map three days later", Self.mapLoaded("2017-10-20")) as? [String: Any])
        #expect(moved["date"] as? String == "20 October 2017")
        #expect(moved["src"] as? String != first["src"] as? String)
        #expect((moved["src"] as? String)?.contains("date=2017-10-20") == true)
        let downloads = try #require(try web.script("return ['png', 'svg', 'pdf', 'geojson'].map(f => document.getElementById('dl-' + f).href)") as? [String])
        #expect(downloads[1].contains("format=svg") && downloads[2].contains("format=pdf") && downloads[3].contains("/api/territory?date=2017-10-20"))

        // A click on Raqqa: who held it, since when, and the source of that event.
        let raqqa = try #require(try web.wait("town positions", "return state.view && state.places ? cssPoint('raqqa') : null") as? [Double])
        try web.click("#map", x: raqqa[0], y: raqqa[1])
        let link = try #require(try web.wait("Raqqa's source", "const a = document.getElementById('place-source'); return a ? [document.querySelector('#place h3').textContent, a.href, document.querySelectorAll('#place tbody tr').length] : null") as? [Any])
        #expect(link[0] as? String == "Raqqa")
        #expect((link[1] as? String)?.hasPrefix("http") == true)
        #expect((link[2] as? Int ?? 0) >= 2, "the whole history")
        try web.save(try web.screenshot(), to: shots + "/serve-raqqa.png")

        // Compare mode: the change map and the towns that changed hands, each with a source.
        try web.script("document.getElementById('compare-date').value = '2017-06-01'")
        try web.click("#compare-on")
        let changes = try #require(try web.wait("the change list", """
            const img = document.getElementById('map-img');
            const rows = [...document.querySelectorAll('#changes tbody tr')];
            return !document.getElementById('compare-result').hidden && rows.length > 0 && img.complete && img.src.includes('compare=2017-06-01')
              ? [rows.length, rows.every(r => r.querySelector('a[href^="http"]') !== null)] : null
            """) as? [Any])
        #expect((changes[0] as? Int ?? 0) > 10)
        #expect(changes[1] as? Bool == true)
        try web.save(try web.screenshot(), to: shots + "/serve-compare.png")

        // Zoom in with the button: a new region, drawn again.
        try web.click("#zoom-in")
        _ = try web.wait("the zoomed map", "const i = document.getElementById('map-img'); return i.complete && /region=[0-9.]+%2C/.test(i.src) ? i.src : null")

        // The permalink reopens the same view.
        let permalink = try #require(try web.script("return document.getElementById('permalink').href") as? String)
        #expect(permalink.contains("compare=2017-06-01") && permalink.contains("region=") && permalink.contains("date=2017-10-20"))
        try web.go("about:blank")
        try web.go(permalink)
        let reopened = try #require(try web.wait("the permalink", """
            const img = document.getElementById('map-img');
            return img.complete && img.naturalWidth > 0 && document.getElementById('compare-on').checked
              ? [document.getElementById('title-date').textContent + ' | ' + document.getElementById('title-sub').textContent, img.src] : null
            """) as? [String])
        #expect(reopened[0] == "20 October 2017 | What changed hands since 1 June 2017")
        #expect(reopened[1].contains("compare=2017-06-01") && reopened[1].contains("region="))
    }
}

