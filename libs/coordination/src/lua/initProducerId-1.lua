--[[
  InitProducerId for an idempotent producer (KIP-98 without transactions).

  A new producer (ARGV[1] = -1) gets the next cluster-unique producer id at epoch 0. A producer
  that already holds an id asks again with it (KIP-360) to start a new epoch, e.g. after its
  sequence broke; that bumps the epoch, or, once the epoch would reach Int16 max - 1 (Kafka's
  limit), allocates a fresh id. With no transactional id there is no earlier holder to fence,
  so nothing per producer is stored: only the counter.

  KEYS[1] producer id counter (the next id to hand out)
  ARGV[1] current producer id, -1 for none
  ARGV[2] current epoch, -1 for none
  Returns {producerId, epoch}.
]]
local pid = tonumber(ARGV[1])
local epoch = tonumber(ARGV[2])
local allocated = tonumber(redis.call('GET', KEYS[1]) or '0')
if pid >= 0 and pid < allocated and epoch >= 0 and epoch < 32766 then
  return {pid, epoch + 1}
end
local id = redis.call('INCR', KEYS[1]) - 1
return {id, 0}
