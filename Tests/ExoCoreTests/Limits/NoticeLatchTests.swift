// Notices of changes others cause are coalesced: at most one waits per session, sent only where
// there is room, re-armed by the session's acknowledgement.
import ExoCore
import Testing

@Suite struct NoticeLatchTests {
    @Test func fiveHundredChangesMakeOneNoticeUntilAcknowledged() {
        var latch = NoticeLatch()
        var sent = 0
        for _ in 0..<500 {
            latch.changed()
            if latch.takeNotice(hasRoom: true) { sent += 1 }
        }
        #expect(sent == 1)
        latch.acknowledge()
        let noticeAfterAcknowledgement = latch.takeNotice(hasRoom: true)
        #expect(!noticeAfterAcknowledgement, "nothing changed since the acknowledgement")
        latch.changed()
        let noticeAfterChange = latch.takeNotice(hasRoom: true)
        #expect(noticeAfterChange)
    }

    @Test func aNoticeWithoutRoomStaysOwedUntilThereIsRoom() {
        var latch = NoticeLatch()
        latch.changed()
        let noticeWithoutRoom = latch.takeNotice(hasRoom: false)
        #expect(!noticeWithoutRoom)
        #expect(latch.owed)
        latch.changed()
        let noticeWithRoom = latch.takeNotice(hasRoom: true)
        #expect(noticeWithRoom)
        #expect(!latch.owed && latch.unacknowledged)
    }

    @Test func anAcknowledgementBeforeAnyNoticeCancelsNothingOwed() {
        var latch = NoticeLatch()
        latch.changed()
        latch.acknowledge()
        // The change is still unannounced: a listing may have raced it, so it is still owed.
        let noticeStillOwed = latch.takeNotice(hasRoom: true)
        #expect(noticeStillOwed)
    }
}
