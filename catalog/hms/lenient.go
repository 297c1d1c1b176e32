package hms

import (
	"context"
	"errors"

	"github.com/apache/thrift/lib/go/thrift"
	"github.com/beltran/gohive/hive_metastore"
)

// Hive 4's interface (gohive's bindings) made "engine" a required field of
// TableStatsRequest and PartitionsStatsRequest; Hive 2 and 3 clients
// (Presto's hive connector, Spark's Hive client) never send it. The
// generated reader refuses such a call as a protocol error, and Presto
// retries it without end while planning. These processor functions read
// the request leniently (every field but engine still required, engine
// "hive" when missing) and answer as the generated ones do.

// lenientProcessors replaces the statistics calls of proc.
func lenientProcessors(proc *hive_metastore.ThriftHiveMetastoreProcessor, h *handler) {
	proc.AddToProcessorMap("get_table_statistics_req", processorFunc(func(ctx context.Context, seq int32, in, out thrift.TProtocol) (bool, thrift.TException) {
		req := &hive_metastore.TableStatsRequest{}
		if ok, err := readRequest(ctx, "get_table_statistics_req", seq, req, in, out); !ok {
			return false, err
		}
		if req.Engine == "" {
			req.Engine = "hive"
		}
		res := &hive_metastore.ThriftHiveMetastoreGetTableStatisticsReqResult{}
		var err error
		res.Success, err = h.GetTableStatisticsReq(ctx, req)
		res.O1, res.O2, err = splitError(err)
		return reply(ctx, "get_table_statistics_req", seq, res, err, out)
	}))
	proc.AddToProcessorMap("get_partitions_statistics_req", processorFunc(func(ctx context.Context, seq int32, in, out thrift.TProtocol) (bool, thrift.TException) {
		req := &hive_metastore.PartitionsStatsRequest{}
		if ok, err := readRequest(ctx, "get_partitions_statistics_req", seq, req, in, out); !ok {
			return false, err
		}
		if req.Engine == "" {
			req.Engine = "hive"
		}
		res := &hive_metastore.ThriftHiveMetastoreGetPartitionsStatisticsReqResult{}
		var err error
		res.Success, err = h.GetPartitionsStatisticsReq(ctx, req)
		res.O1, res.O2, err = splitError(err)
		return reply(ctx, "get_partitions_statistics_req", seq, res, err, out)
	}))
}

type processorFunc func(ctx context.Context, seq int32, in, out thrift.TProtocol) (bool, thrift.TException)

func (f processorFunc) Process(ctx context.Context, seq int32, in, out thrift.TProtocol) (bool, thrift.TException) {
	return f(ctx, seq, in, out)
}

// readRequest reads a call's arguments, a struct whose field 1 is req;
// a read error is answered as the generated processors answer it.
func readRequest(ctx context.Context, name string, seq int32, req thrift.TStruct, in, out thrift.TProtocol) (bool, thrift.TException) {
	err := readArgs(ctx, req, in)
	in.ReadMessageEnd(ctx)
	if err == nil {
		return true, nil
	}
	x := thrift.NewTApplicationException(thrift.PROTOCOL_ERROR, err.Error())
	out.WriteMessageBegin(ctx, name, thrift.EXCEPTION, seq)
	x.Write(ctx, out)
	out.WriteMessageEnd(ctx)
	out.Flush(ctx)
	return false, thrift.WrapTException(err)
}

func readArgs(ctx context.Context, req thrift.TStruct, in thrift.TProtocol) error {
	if _, err := in.ReadStructBegin(ctx); err != nil {
		return err
	}
	for {
		_, typ, id, err := in.ReadFieldBegin(ctx)
		if err != nil {
			return err
		}
		if typ == thrift.STOP {
			break
		}
		if id == 1 && typ == thrift.STRUCT {
			if err := req.Read(ctx, in); err != nil && err.Error() != "Required field Engine is not set" {
				return err
			}
		} else if err := in.Skip(ctx, typ); err != nil {
			return err
		}
		if err := in.ReadFieldEnd(ctx); err != nil {
			return err
		}
	}
	return in.ReadStructEnd(ctx)
}

// splitError puts the handler's error where the result struct declares
// it; any other error stays for reply.
func splitError(err error) (*hive_metastore.NoSuchObjectException, *hive_metastore.MetaException, error) {
	var nf *hive_metastore.NoSuchObjectException
	var me *hive_metastore.MetaException
	switch {
	case errors.As(err, &nf):
		return nf, nil, nil
	case errors.As(err, &me):
		return nil, me, nil
	}
	return nil, nil, err
}

// reply writes the result, or an internal-error exception for an error
// the method does not declare.
func reply(ctx context.Context, name string, seq int32, res thrift.TStruct, err error, out thrift.TProtocol) (bool, thrift.TException) {
	if err != nil {
		x := thrift.NewTApplicationException(thrift.INTERNAL_ERROR, "Internal error processing "+name+": "+err.Error())
		out.WriteMessageBegin(ctx, name, thrift.EXCEPTION, seq)
		x.Write(ctx, out)
		out.WriteMessageEnd(ctx)
		out.Flush(ctx)
		return true, thrift.WrapTException(err)
	}
	if err := out.WriteMessageBegin(ctx, name, thrift.REPLY, seq); err != nil {
		return false, thrift.WrapTException(err)
	}
	if err := res.Write(ctx, out); err != nil {
		return false, thrift.WrapTException(err)
	}
	if err := out.WriteMessageEnd(ctx); err != nil {
		return false, thrift.WrapTException(err)
	}
	if err := out.Flush(ctx); err != nil {
		return false, thrift.WrapTException(err)
	}
	return true, nil
}
