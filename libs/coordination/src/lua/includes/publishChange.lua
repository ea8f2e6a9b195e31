-- Announces a metadata change on the cluster's change channel, as the ChangeEvent JSON
-- ({kind, subject}) the ChangeFeed parses. `subject` may be nil (then it is left out).
local function publishChange(channel, kind, subject)
  redis.call('PUBLISH', channel, cjson.encode({kind = kind, subject = subject}))
end
