// go-greeter: helloworld.Greeter/SayHello and
// grpc.testing.TestService/StreamingOutputCall on grpc-go, a benchmark peer.
//
// Built by Benchmarks/build-peers.sh in GOPATH mode (GO111MODULE=off) against
// Debian's golang-google-grpc-dev (grpc-go 1.33 on golang/protobuf 1.3), with
// the helloworld package generated from Protos/grpc/examples/helloworld.proto
// and the grpc_testing package from Protos/grpc/testing/{empty,messages,test}.proto
// by Debian's protoc-gen-go 1.3 (protoc-gen-go-1-3, plugins=grpc) into
// isid-bench/helloworld and isid-bench/grpc_testing. (Debian's package has a
// grpc.testing of its own, test/grpc_testing, but from a trimmed test.proto:
// no UnimplementedCall, no compressed or response_status fields.) The greeter
// is upstream's examples/helloworld/greeter_server.
//
// Follows Isid's server contract: --host (default 127.0.0.1) and --port (0
// picks a free port), also from ISID_HOST/ISID_PORT; prints exactly one line
// "listening on HOST:PORT" on stdout once it accepts connections; SIGTERM
// stops it gracefully and it exits 0. Replies "Hello " + name, like the
// upstream example, without its per-call log line.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"google.golang.org/grpc"
	testpb "isid-bench/grpc_testing"
	pb "isid-bench/helloworld"
)

type server struct {
	pb.UnimplementedGreeterServer
}

func (s *server) SayHello(ctx context.Context, in *pb.HelloRequest) (*pb.HelloReply, error) {
	return &pb.HelloReply{Message: "Hello " + in.GetName()}, nil
}

// testService serves StreamingOutputCall, the server-streaming workload; the
// embedded Unimplemented server answers UNIMPLEMENTED for the other methods.
type testService struct {
	testpb.UnimplementedTestServiceServer
}

// StreamingOutputCall sends one COMPRESSABLE payload of size zero bytes per
// response parameter, after waiting interval_us, as the interop spec says.
// The request's compressed and response_status fields are ignored: the
// benchmark asks for neither.
func (s *testService) StreamingOutputCall(in *testpb.StreamingOutputCallRequest,
	stream testpb.TestService_StreamingOutputCallServer) error {
	for _, p := range in.GetResponseParameters() {
		if us := p.GetIntervalUs(); us > 0 {
			time.Sleep(time.Duration(us) * time.Microsecond)
		}
		size := p.GetSize()
		if size < 0 {
			size = 0
		}
		payload := &testpb.Payload{Type: testpb.PayloadType_COMPRESSABLE, Body: make([]byte, size)}
		if err := stream.Send(&testpb.StreamingOutputCallResponse{Payload: payload}); err != nil {
			return err
		}
	}
	return nil
}

func envOr(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return fallback
}

func main() {
	defaultPort, err := strconv.Atoi(envOr("ISID_PORT", "50051"))
	if err != nil {
		log.Fatalf("ISID_PORT: %v", err)
	}
	host := flag.String("host", envOr("ISID_HOST", "127.0.0.1"), "address to listen on")
	port := flag.Int("port", defaultPort, "port to listen on (0 picks a free port)")
	flag.Parse()

	lis, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		log.Fatalf("failed to listen: %v", err)
	}
	s := grpc.NewServer()
	pb.RegisterGreeterServer(s, &server{})
	testpb.RegisterTestServiceServer(s, &testService{})

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		s.GracefulStop()
	}()

	fmt.Printf("listening on %s:%d\n", *host, lis.Addr().(*net.TCPAddr).Port)
	os.Stdout.Sync()
	if err := s.Serve(lis); err != nil {
		log.Fatalf("failed to serve: %v", err)
	}
}
