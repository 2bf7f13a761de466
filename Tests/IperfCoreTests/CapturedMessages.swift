// Control messages exactly as Debian's iperf3 3.12 client sent them (captured with
// `iperf3 -c 127.0.0.1 --debug` against a kernel iperf3 server on loopback), as JSON texts.

enum CapturedMessages {
    /// `iperf3 -c HOST -t 1`.
    static let forwardParameters = #"{"tcp":true,"omit":0,"time":1,"num":0,"blockcount":0,"parallel":1,"len":131072,"pacing_timer":1000,"client_version":"3.12"}"#

    /// `iperf3 -c HOST -t 1 -P 2 -R`.
    static let reverseTwoStreamParameters = #"{"tcp":true,"omit":0,"time":1,"num":0,"blockcount":0,"parallel":2,"reverse":true,"len":131072,"pacing_timer":1000,"client_version":"3.12"}"#

    /// `iperf3 -c HOST -t 1 -u --bidir -O 1 --get-server-output -b 1M`.
    static let udpParameters = #"{"udp":true,"omit":1,"time":1,"num":0,"blockcount":0,"parallel":1,"bidirectional":true,"len":32768,"bandwidth":1000000,"pacing_timer":1000,"get_server_output":1,"client_version":"3.12"}"#

    /// The client's results after a forward test: it sent, with retransmits.
    static let forwardClientResults = #"{"cpu_util_total":12.651001190774631,"cpu_util_user":0,"cpu_util_system":12.650805339684132,"sender_has_retransmits":1,"congestion_used":"bbr","streams":[{"id":1,"bytes":945029120,"retransmits":17,"jitter":0,"errors":0,"packets":0,"start_time":0,"end_time":1.002176}]}"#

    /// The client's results after `-P 2 -R`: it received, so its "unknown" retransmit counts
    /// (-1) are written as unsigned 64-bit numbers.
    static let reverseClientResults = #"{"cpu_util_total":19.063794040618671,"cpu_util_user":0,"cpu_util_system":19.063794040618671,"sender_has_retransmits":18446744073709551615,"congestion_used":"bbr","streams":[{"id":1,"bytes":343015424,"retransmits":18446744073709551615,"jitter":0,"errors":0,"packets":0,"start_time":0,"end_time":1.001164},{"id":3,"bytes":336461824,"retransmits":18446744073709551615,"jitter":0,"errors":0,"packets":0,"start_time":0,"end_time":1.001175}]}"#

    /// A cookie as `make_cookie` writes one: 36 characters of its alphabet and a NUL.
    static let cookie = Array("u4fsyjqdkdrlpnoqrdjdw3o2d5xrtapoab6g".utf8) + [0]

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
}
