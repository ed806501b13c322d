// Wording → act: a verb and phrase lexicon mapped to the act vocabulary (CAMEO's verbal categories).
import type { Act } from '../../lib/vocabularies.js';

/**
 * Each act with the phrases that signal it, as regular expressions over lower-cased text. Written as rules, not a
 * model: the vocabulary is small and closed, each rule is reviewable, and a briefing's register is formulaic.
 */
const RULES: [Act, RegExp][] = [
  [
    'rejectNegotiation',
    /\b(?:no (?:talks|negotiations|dialogue) with|not (?:be )?(?:holding|hold) (?:any )?(?:talks|negotiations)|no plans? to (?:hold )?(?:talks|negotiat)|refuse[sd]? to (?:negotiate|talk)|will not (?:negotiate|talk) with|rule[sd]? out (?:talks|negotiations|dialogue))/,
  ],
  [
    'declineComment',
    /\b(?:no comment|(?:not|never) (?:going to|able to) (?:comment|get into|speak to|characterize|telegraph|talk about)|not in a position to|(?:would|i'?d|i will|i'll) refer you to|(?:don'?t|do not|don’t) have (?:anything|any (?:information|update|comment)|an update|an announcement)|not aware of|(?:have|has) no (?:information|details|update)|nothing (?:to (?:share|release|announce|offer))|will not respond|won'?t (?:comment|get into)|nothing to add|take that question)/,
  ],
  ['condolence', /\b(?:condolences?|sympath(?:y|ies|ize)|mourn|(?:our )?thoughts (?:and prayers )?are with)\b/],
  [
    'accuse',
    /\b(?:accus(?:e|es|ed|ing|ation)|alleg(?:e|es|ed|ation)|blame[sd]?|responsible for (?:the )?(?:attack|crimes)|sponsored by)\b/,
  ],
  [
    'criticize',
    /\b(?:condemn|criticiz|criticis|denounc|deplor|regret(?:s|ted)?\b|disappoint|irresponsible|ill-intentioned|smear|slander|hypocri)/,
  ],
  [
    'reject',
    /\b(?:reject|oppose[sd]?|opposition to|refute|dismiss(?:es|ed)? (?:the|as)|unacceptable|firmly against|baseless|groundless|fabricat|not accept)/,
  ],
  ['denyResponsibility', /\b(?:den(?:y|ies|ied)|no (?:involvement|role) in|not (?:involved|responsible))\b/],
  [
    'demand',
    /\b(?:demand|expect (?:the |them |it |all )?[\w\s]{0,40}?to |must (?:stop|immediately|take|end|cease|withdraw|correct)|insist|stop (?:unreasonable|interfering)|(?:should|must) immediately)/,
  ],
  [
    'appeal',
    /\b(?:urge[sd]?|urging|call(?:s|ed)? (?:on|upon|for)|appeal|ask(?:s|ed)? (?:the|all)|encourage[sd]?|hope (?:that )?(?:the|all|relevant)|advise[sd]? (?:the|mr)|exercise (?:maximum )?restraint)/,
  ],
  ['praise', /\b(?:welcome[sd]?|commend|apprecia|prais|congratulat|applaud|thank(?:s|ed)? (?:the|all))/],
  [
    'threaten',
    /\b(?:threaten(?:s|ed)? to|countermeasures|will (?:surely )?respond|consequences|retaliat|won'?t be shy|take (?:all )?necessary (?:measures|steps))/,
  ],
  [
    'defend',
    /\b(?:defend|self-defen[cs]e|legitimate (?:right|self)|justified|in keeping with|normal (?:cooperation|military trade)|not (?:targeted|directed) at (?:any )?third part)/,
  ],
  [
    'intendMeet',
    /\b(?:will (?:visit|meet|hold talks|attend|co-chair|travel)|(?:official )?visit to|(?:meeting|talks) (?:will|is to) be held|to meet with|pay (?:an? )?(?:official )?visit)/,
  ],
  [
    'intendCooperate',
    /\b(?:ready to work|willing to (?:work|continue)|work (?:together )?with|stand(?:s)? ready|cooperat|partnership|strengthen (?:\w+ )?(?:ties|relations|cooperation)|support (?:the|each other|both))/,
  ],
  [
    'considerPolicy',
    /\b(?:under consideration|considering|being debated|review(?:ing)? (?:the|our)|weigh(?:ing)? (?:the|our) options|studying)\b/,
  ],
  ['pessimistic', /\b(?:concern(?:ed|s)?\b|worr(?:y|ied|ies)|alarm|grave|deteriorat|escalat|tension)/],
  ['optimistic', /\b(?:optimis|hopeful|confident|positive direction|hope(?:s|d)? (?:for|that)|progress|hard-won)/],
];

/** The acts a statement's wording signals; `statement` when none does. */
export function actsOf(text: string): Act[] {
  const lower = text.toLowerCase().replace(/[\u2018\u2019]/g, "'");
  const acts: Act[] = [];
  for (const [act, re] of RULES) if (re.test(lower)) acts.push(act);
  return acts.length ? acts.slice(0, 6) : ['statement'];
}

/** Verbs that report speech: "said", "added", "told", "stressed"… (past tense and present). */
export const SAY_VERBS =
  '(?:was|is|were) quoted as saying|said|says|say|added|adds|told|tells|stated|states|noted|notes|stressed|stresses|emphasi[sz]ed|emphasi[sz]es|explained|explains|continued|remarked|asserted|asserts|insisted|insists|responded|replied|replies|declared|declares|warned|warns|observed|maintained|maintains|pointed out|underlined|underscored|wrote|tweeted|announced|announces|reiterated|reiterates|affirmed|reaffirmed|highlighted|highlights|clarified|confirmed|mentioned|commented|recalled|acknowledged|argued|claimed|contended|concluded|elaborated|revealed|urged|urges|expressed|expresses|condemned|condemns|criticized|criticised|called on|called for|calls on|welcomed|welcomes|rejected|rejects|denied|denies|demanded|hoped|hopes|regretted|regrets|voiced|conveyed|informed|briefed|assured|termed|described|dismissed|lamented|deplored|appealed|advised|proposed|suggested|provided|shared|reported';

/** Participles that open a clause of reported speech after a comma: ", urging …", ", noting that …". */
export const SAY_PARTICIPLES =
  'saying|adding|noting|stressing|emphasi[sz]ing|urging|asserting|stating|expressing|calling on|calling for|reiterating|highlighting|insisting|warning|explaining|terming|describing|maintaining|pointing out|underlining|underscoring|recalling|welcoming|condemning|criticizing|criticising|rejecting|denying|demanding|voicing|conveying|declaring|affirming|reaffirming';
