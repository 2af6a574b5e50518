"""Hidden hazards (隐患) and their closed loop (排查治理闭环): registered, rectifying, rectified,
verified, closed (销号), per 安全生产事故隐患排查治理暂行规定 (原安监总局16号令)."""
