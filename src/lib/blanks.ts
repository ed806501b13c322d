// The value of every optional field of each resource when a create or an import leaves it out: a rule of the
// API, not of an engine, so both engines' stores read it from here.
export const BLANKS = {
  sources: { publisher: null, author: null, url: null, publishedOn: null, language: null, text: null },
  actors: { countryCode: null, parentId: null, aliases: [], description: null },
  topics: { parentId: null, aliases: [], description: null },
  events: { startDate: null, endDate: null, location: null, hostId: null, participantIds: [] },
  statements: {
    onBehalfOfId: null,
    speakerRole: null,
    statedOn: null,
    eventId: null,
    topicIds: [],
    addresseeIds: [],
    respondsToIds: [],
    context: null,
    acts: [],
    language: null,
  },
  positions: { validTo: null },
};
