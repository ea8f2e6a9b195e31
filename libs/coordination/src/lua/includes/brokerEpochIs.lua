-- True when broker `id`'s current broker epoch (KIP-380) in the epochs hash is `epoch`.
-- A nil stored epoch (the id never registered) matches nothing.
local function brokerEpochIs(epochsKey, id, epoch)
  return tonumber(redis.call('HGET', epochsKey, id) or '-1') == tonumber(epoch)
end
