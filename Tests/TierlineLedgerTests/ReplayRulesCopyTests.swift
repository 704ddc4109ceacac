import Testing
import TierlinePlaybook

@testable import TierlineLedger

@Suite("replay rules copy")
struct ReplayRulesCopyTests {
  @Test("thread copy equals rules")
  func copyEqualsRules() throws {
    var playbook = Playbook.builtInDefault
    playbook.name = "a playbook whose name is longer than fifteen bytes"
    playbook.triggers.timeOffsetsDays = [30, 60, 90, 365]
    for rules in [ReplayRules(playbook: .builtInDefault), ReplayRules(playbook: playbook)] {
      let copy = rules.separateCopy()
      #expect(copy.playbook == rules.playbook)
      #expect(copy.version == rules.version)
      #expect(copy.playbook.canonicalJSON() == rules.playbook.canonicalJSON())
    }
  }
}
